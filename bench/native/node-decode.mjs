// node-llama-cpp 3.22.1 peer for Rag.Model's decode benchmark: same model, prompt, context size, threads and token count.
// Each run gets a fresh context (created outside the timed region); the clock runs from the first generated token to
// the (TOKENS+1)-th, i.e. TOKENS rounds of decode + greedy sample + detokenize, like decode_loop.c and DecodeBenchmark.
// usage: node decode.mjs MODEL THREADS TOKENS CTX [REPEATS]
import {getLlama} from "node-llama-cpp";
const [model, threads, tokens, ctxSize, repeats = "5"] = process.argv.slice(2);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const m = await llama.loadModel({modelPath: model, gpuLayers: 0});
const prompt = [m.tokens.bos, ...m.tokenize("Once upon a time", false)];
async function run(n) {
  const ctx = await m.createContext({contextSize: +ctxSize, batchSize: 512, threads: +threads, sequences: 1});
  const seq = ctx.getSequence();
  let count = -1, t0 = 0, c0 = null;
  for await (const t of seq.evaluate(prompt, {temperature: 0})) {
    m.detokenize([t]);
    if (++count === 0) { t0 = performance.now(); c0 = process.cpuUsage(); }
    if (count === n) break;
  }
  const dt = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  await ctx.dispose();
  return [n / dt, n / ((cu.user + cu.system) / 1e6)];
}
// warm-up: full-length runs for at least one second, the same rule as decode_loop.c and DecodeBenchmark
const w0 = performance.now();
do { await run(+tokens); } while (performance.now() - w0 < 1000);
let best = 0, bestCpu = 0; const runs = [];
for (let r = 0; r < +repeats; r++) {
  const [v, c] = await run(+tokens);
  runs.push(v.toFixed(1)); best = Math.max(best, v); bestCpu = Math.max(bestCpu, c);
}
console.error("runs: " + runs.join(", "));
console.log(`best tokens/s: ${best.toFixed(1)}`);
console.log(`best cpu tokens/s: ${bestCpu.toFixed(1)}`);
await m.dispose();
