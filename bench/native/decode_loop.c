// Floor for Rag.Model's decode overhead: the same greedy decode loop as Rag.Model's DecodeBenchmark, in plain C,
// against the same libllama. Usage: decode_loop MODEL THREADS TOKENS CTX [PROMPT] [REPEATS]
// Prints one line per repeat: "tokens/s: X", then "best tokens/s: X".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "llama.h"

static void quiet(enum ggml_log_level level, const char * text, void * ud) {
    (void)ud;
    if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr);
}

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Process CPU time as well as wall time: on a shared, overloaded machine CPU time is the stable measure of the work
// each binding does per token (it excludes time spent preempted).
static double g_cpu;

// Prefill the prompt, then decode n tokens greedily one at a time (EOS ignored). Returns seconds for the n tokens.
static double run(struct llama_context * ctx, struct llama_sampler * smpl, const struct llama_vocab * vocab,
                  llama_token * prompt, int n_prompt, int n, struct llama_batch * batch) {
    llama_memory_clear(llama_get_memory(ctx), true);
    llama_sampler_reset(smpl);
    for (int i = 0; i < n_prompt; i++) {
        batch->token[i] = prompt[i]; batch->pos[i] = i; batch->n_seq_id[i] = 1; batch->seq_id[i][0] = 0;
        batch->logits[i] = i == n_prompt - 1;
    }
    batch->n_tokens = n_prompt;
    if (llama_decode(ctx, *batch)) { fprintf(stderr, "prefill failed\n"); exit(1); }
    int last = n_prompt - 1;
    char piece[256];
    long checksum = 0;
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int i = 0; i < n; i++) {
        llama_token t = llama_sampler_sample(smpl, ctx, last);
        int len = llama_token_to_piece(vocab, t, piece, sizeof piece, 0, false);
        checksum += len;
        batch->token[0] = t; batch->pos[0] = n_prompt + i; batch->n_seq_id[0] = 1; batch->seq_id[0][0] = 0;
        batch->logits[0] = 1; batch->n_tokens = 1;
        if (llama_decode(ctx, *batch)) { fprintf(stderr, "decode failed at %d\n", i); exit(1); }
        last = 0;
    }
    double dt = clock_s(CLOCK_MONOTONIC) - t0;
    g_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (checksum < 0) puts("");
    return dt;
}

int main(int argc, char ** argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s MODEL THREADS TOKENS CTX [PROMPT] [REPEATS]\n", argv[0]); return 2; }
    const char * path = argv[1];
    int threads = atoi(argv[2]), n = atoi(argv[3]), n_ctx = atoi(argv[4]);
    const char * text = argc > 5 ? argv[5] : "Once upon a time";
    int repeats = argc > 6 ? atoi(argv[6]) : 5;
    const char * dir = getenv("RAG_LLAMA_NATIVE_DIR");

    llama_log_set(quiet, NULL);
    ggml_log_set(quiet, NULL);
    ggml_backend_load_all_from_path(dir ? dir : ".");
    llama_backend_init();

    struct llama_model_params mp = llama_model_default_params();
    struct llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) { fprintf(stderr, "load failed\n"); return 1; }
    const struct llama_vocab * vocab = llama_model_get_vocab(model);

    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_ctx; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "context failed\n"); return 1; }

    llama_token prompt[512];
    int n_prompt = llama_tokenize(vocab, text, (int)strlen(text), prompt, 512, true, true);
    if (n_prompt <= 0 || n_prompt + n > (int)llama_n_ctx(ctx)) { fprintf(stderr, "prompt/tokens do not fit\n"); return 1; }

    struct llama_sampler * smpl = llama_sampler_chain_init(llama_sampler_chain_default_params());
    llama_sampler_chain_add(smpl, llama_sampler_init_greedy());
    struct llama_batch batch = llama_batch_init(512, 0, 1);

    // warm-up: full-length runs for at least one second, the same rule as DecodeBenchmark and node-decode.mjs
    double w0 = clock_s(CLOCK_MONOTONIC);
    do { run(ctx, smpl, vocab, prompt, n_prompt, n, &batch); } while (clock_s(CLOCK_MONOTONIC) - w0 < 1.0);
    double best = 0, best_cpu = 0;
    for (int r = 0; r < repeats; r++) {
        double tps = n / run(ctx, smpl, vocab, prompt, n_prompt, n, &batch);
        double cps = n / g_cpu;
        printf("tokens/s: %.1f  cpu tokens/s: %.1f\n", tps, cps);
        if (tps > best) best = tps;
        if (cps > best_cpu) best_cpu = cps;
    }
    printf("best tokens/s: %.1f\n", best);
    printf("best cpu tokens/s: %.1f\n", best_cpu);

    llama_batch_free(batch);
    llama_sampler_free(smpl);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
