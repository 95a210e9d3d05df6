using System.Numerics.Tensors;
using Rag.Model.Gguf;

namespace Rag.Training.Internal;

/// <summary>
/// The LLaMA forward and backward pass as llama.cpp computes it for <c>general.architecture = llama</c>
/// (<c>src/models/llama.cpp</c>): token embedding, per block RMSNorm → Q/K/V → RoPE (ggml's "normal" mode: adjacent
/// pairs) → causal softmax attention with grouped KV heads → output projection → residual, RMSNorm → SwiGLU FFN →
/// residual; final RMSNorm and the output projection (tied to the embeddings when <c>output.weight</c> is absent).
/// The base weights are frozen; gradients flow only into the LoRA A and B matrices.
/// </summary>
internal sealed class LlamaNetwork
{
    public static readonly IReadOnlyDictionary<string, string> TargetTensors = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["q"] = "attn_q", ["k"] = "attn_k", ["v"] = "attn_v", ["o"] = "attn_output", ["gate"] = "ffn_gate", ["up"] = "ffn_up", ["down"] = "ffn_down",
    };

    private readonly float[] _tokEmbd;
    private readonly float[] _outputNorm;
    private readonly Linear _output;
    private readonly Block[] _blocks;

    private LlamaNetwork(LlamaConfig config, float[] tokEmbd, float[] outputNorm, Linear output, Block[] blocks)
    {
        Config = config;
        _tokEmbd = tokEmbd;
        _outputNorm = outputNorm;
        _output = output;
        _blocks = blocks;
    }

    public LlamaConfig Config { get; }

    public List<LoraLayer> Loras { get; } = [];

    /// <summary>alpha / r.</summary>
    public float LoraScale { get; set; } = 1f;

    public int Threads { get; set; } = 1;

    public static LlamaNetwork Load(GgufReader r)
    {
        var c = LlamaConfig.FromGguf(r);
        float[] Read(string name, params long[] shape)
        {
            var t = r.FindTensor(name) ?? throw new NotSupportedException($"{r.Path}: tensor '{name}' is missing.");
            if (!t.Dimensions.SequenceEqual(shape))
            {
                throw new NotSupportedException($"{r.Path}: tensor '{name}' is {t.ShapeText}, expected [{string.Join(", ", shape)}].");
            }

            if (!GgufReader.CanReadAsFloats(t.Type))
            {
                throw new NotSupportedException($"{r.Path}: tensor '{name}' is {t.Type}, which the trainer cannot dequantize.");
            }

            return r.ReadTensorFloats(t);
        }

        var tok = Read("token_embd.weight", c.Embd, c.Vocab);
        var blocks = new Block[c.Layers];
        for (var l = 0; l < c.Layers; l++)
        {
            var p = $"blk.{l}.";
            blocks[l] = new Block
            {
                AttnNorm = Read(p + "attn_norm.weight", c.Embd),
                Q = new Linear(Read(p + "attn_q.weight", c.Embd, c.QDim), c.Embd, c.QDim),
                K = new Linear(Read(p + "attn_k.weight", c.Embd, c.KvDim), c.Embd, c.KvDim),
                V = new Linear(Read(p + "attn_v.weight", c.Embd, c.KvDim), c.Embd, c.KvDim),
                O = new Linear(Read(p + "attn_output.weight", c.QDim, c.Embd), c.QDim, c.Embd),
                FfnNorm = Read(p + "ffn_norm.weight", c.Embd),
                Gate = new Linear(Read(p + "ffn_gate.weight", c.Embd, c.Ff), c.Embd, c.Ff),
                Up = new Linear(Read(p + "ffn_up.weight", c.Embd, c.Ff), c.Embd, c.Ff),
                Down = new Linear(Read(p + "ffn_down.weight", c.Ff, c.Embd), c.Ff, c.Embd),
            };
        }

        var output = r.FindTensor("output.weight") is null ? tok : Read("output.weight", c.Embd, c.Vocab);
        return new LlamaNetwork(c, tok, Read("output_norm.weight", c.Embd), new Linear(output, c.Embd, c.Vocab), blocks);
    }

    /// <summary>Adds a LoRA of rank <paramref name="rank"/> to every weight named by <paramref name="targets"/> (q, k, v, o, gate, up, down).</summary>
    public void AttachLora(IEnumerable<string> targets, int rank)
    {
        var set = targets.ToHashSet(StringComparer.Ordinal);
        for (var l = 0; l < _blocks.Length; l++)
        {
            foreach (var (key, lin) in _blocks[l].Linears())
            {
                if (set.Contains(key))
                {
                    lin.Lora = new LoraLayer($"blk.{l}.{TargetTensors[key]}.weight", lin.In, lin.Out, rank);
                    Loras.Add(lin.Lora);
                }
            }
        }
    }

    /// <summary>Logits (rows × vocab) of every position.</summary>
    public float[] Forward(ReadOnlySpan<int> tokens)
    {
        var pass = Run(tokens, null, 0);
        var rows = tokens.Length;
        var logits = new float[rows * Config.Vocab];
        Kernels.MatMulT(pass.FinalNormed, _output.W, logits, rows, Config.Embd, Config.Vocab, Threads);
        return logits;
    }

    /// <summary>
    /// Summed cross-entropy of the tokens at positions ≥ <paramref name="firstTarget"/> (each predicted from the one before),
    /// and, when <paramref name="gradScale"/> is non-zero, adds gradScale · d(sum)/dθ to the LoRA gradients.
    /// </summary>
    public double LossAndBackward(ReadOnlySpan<int> tokens, int firstTarget, float gradScale, float dropout, Random? rng, out int count)
    {
        var c = Config;
        var t = tokens.Length;
        firstTarget = Math.Max(1, firstTarget);
        count = t - firstTarget;
        if (count <= 0)
        {
            return 0;
        }

        var pass = Run(tokens, dropout > 0 ? rng : null, dropout);
        var h = pass.FinalNormed;
        // logits only for rows that predict a target: rows firstTarget-1 .. t-2
        var r0 = firstTarget - 1;
        var hr = new float[count * c.Embd];
        Array.Copy(h, r0 * c.Embd, hr, 0, hr.Length);
        var logits = new float[count * c.Vocab];
        Kernels.MatMulT(hr, _output.W, logits, count, c.Embd, c.Vocab, Threads);
        double loss = 0;
        for (var i = 0; i < count; i++)
        {
            var z = new Span<float>(logits, i * c.Vocab, c.Vocab);
            var target = tokens[firstTarget + i];
            var max = TensorPrimitives.Max(z);
            double sum = 0;
            foreach (var v in z)
            {
                sum += Math.Exp(v - max);
            }

            loss += max + Math.Log(sum) - z[target];
            if (gradScale != 0)
            {
                // softmax − one-hot, scaled
                for (var j = 0; j < z.Length; j++)
                {
                    z[j] = (float)(Math.Exp(z[j] - max) / sum) * gradScale;
                }

                z[target] -= gradScale;
            }
        }

        if (gradScale != 0)
        {
            Backward(pass, logits, r0, count);
        }

        return loss;
    }

    private Pass Run(ReadOnlySpan<int> tokens, Random? rng, float dropout)
    {
        var c = Config;
        var t = tokens.Length;
        var d = c.Embd;
        var x = new float[t * d];
        for (var i = 0; i < t; i++)
        {
            Array.Copy(_tokEmbd, (long)tokens[i] * d, x, (long)i * d, d);
        }

        var pass = new Pass(t, Rope(t));
        foreach (var b in _blocks)
        {
            var a = new Activations { Xin = x, H1 = new float[t * d], R1 = new float[t] };
            Kernels.RmsNorm(x, b.AttnNorm, a.H1, a.R1, t, d, c.Eps);
            a.Qr = new float[t * c.QDim];
            a.Kr = new float[t * c.KvDim];
            a.V = new float[t * c.KvDim];
            a.QC = b.Q.Forward(a.H1, a.Qr, t, LoraScale, dropout, rng, Threads);
            a.KC = b.K.Forward(a.H1, a.Kr, t, LoraScale, dropout, rng, Threads);
            a.VC = b.V.Forward(a.H1, a.V, t, LoraScale, dropout, rng, Threads);
            ApplyRope(a.Qr, t, c.Heads, pass.Cos, pass.Sin, inverse: false);
            ApplyRope(a.Kr, t, c.KvHeads, pass.Cos, pass.Sin, inverse: false);
            a.P = new float[c.Heads * t * t];
            a.Att = new float[t * c.QDim];
            Attention(a, t);
            var attOut = new float[t * d];
            a.OC = b.O.Forward(a.Att, attOut, t, LoraScale, dropout, rng, Threads);
            a.Xmid = new float[t * d];
            TensorPrimitives.Add(x, attOut, a.Xmid);
            a.H2 = new float[t * d];
            a.R2 = new float[t];
            Kernels.RmsNorm(a.Xmid, b.FfnNorm, a.H2, a.R2, t, d, c.Eps);
            a.G = new float[t * c.Ff];
            a.U = new float[t * c.Ff];
            a.GC = b.Gate.Forward(a.H2, a.G, t, LoraScale, dropout, rng, Threads);
            a.UC = b.Up.Forward(a.H2, a.U, t, LoraScale, dropout, rng, Threads);
            a.Act = new float[t * c.Ff];
            for (var i = 0; i < a.Act.Length; i++)
            {
                var g = a.G[i];
                a.Act[i] = g / (1f + MathF.Exp(-g)) * a.U[i];
            }

            var ffo = new float[t * d];
            a.DC = b.Down.Forward(a.Act, ffo, t, LoraScale, dropout, rng, Threads);
            x = new float[t * d];
            TensorPrimitives.Add(a.Xmid, ffo, x);
            pass.Layers.Add(a);
        }

        pass.FinalX = x;
        pass.FinalNormed = new float[t * d];
        pass.FinalInv = new float[t];
        Kernels.RmsNorm(x, _outputNorm, pass.FinalNormed, pass.FinalInv, t, d, c.Eps);
        return pass;
    }

    private void Backward(Pass pass, float[] dlogits, int r0, int count)
    {
        var c = Config;
        var t = pass.T;
        var d = c.Embd;
        // d(final normed) rows r0..r0+count-1
        var dh = new float[t * d];
        var dhr = new float[count * d];
        Kernels.MatMulBackInput(dlogits, _output.W, dhr, count, d, c.Vocab, Threads);
        Array.Copy(dhr, 0, dh, r0 * d, dhr.Length);
        var dx = new float[t * d];
        Kernels.RmsNormBack(pass.FinalX, _outputNorm, pass.FinalInv, dh, dx, t, d);
        for (var l = _blocks.Length - 1; l >= 0; l--)
        {
            var b = _blocks[l];
            var a = pass.Layers[l];
            // FFN: x = xmid + down(silu(gate) * up)
            var dAct = new float[t * c.Ff];
            b.Down.Backward(a.Act, dx, dAct, a.DC!, t, LoraScale, Threads);
            var dG = new float[t * c.Ff];
            var dU = new float[t * c.Ff];
            for (var i = 0; i < dAct.Length; i++)
            {
                var g = a.G[i];
                var sig = 1f / (1f + MathF.Exp(-g));
                var silu = g * sig;
                dU[i] = dAct[i] * silu;
                dG[i] = dAct[i] * a.U[i] * sig * (1f + (g * (1f - sig)));
            }

            var dH2 = new float[t * d];
            b.Gate.Backward(a.H2, dG, dH2, a.GC!, t, LoraScale, Threads);
            b.Up.Backward(a.H2, dU, dH2, a.UC!, t, LoraScale, Threads);
            var dXmid = (float[])dx.Clone();
            Kernels.RmsNormBack(a.Xmid, b.FfnNorm, a.R2, dH2, dXmid, t, d);
            // attention: xmid = xin + o(att)
            var dAtt = new float[t * c.QDim];
            b.O.Backward(a.Att, dXmid, dAtt, a.OC!, t, LoraScale, Threads);
            var dQ = new float[t * c.QDim];
            var dK = new float[t * c.KvDim];
            var dV = new float[t * c.KvDim];
            AttentionBack(a, dAtt, dQ, dK, dV, t);
            ApplyRope(dQ, t, c.Heads, pass.Cos, pass.Sin, inverse: true);
            ApplyRope(dK, t, c.KvHeads, pass.Cos, pass.Sin, inverse: true);
            var dH1 = new float[t * d];
            b.Q.Backward(a.H1, dQ, dH1, a.QC!, t, LoraScale, Threads);
            b.K.Backward(a.H1, dK, dH1, a.KC!, t, LoraScale, Threads);
            b.V.Backward(a.H1, dV, dH1, a.VC!, t, LoraScale, Threads);
            if (l == 0)
            {
                break; // the embeddings are frozen
            }

            dx = dXmid;
            Kernels.RmsNormBack(a.Xin, b.AttnNorm, a.R1, dH1, dx, t, d);
        }
    }

    private (float[] Cos, float[] Sin) Rope(int t)
    {
        // ggml_rope, mode 0: theta_i = pos · base^(−2i/n_dims), computed by repeated multiplication in float as ggml does
        var half = Config.RopeDims / 2;
        var cos = new float[t * half];
        var sin = new float[t * half];
        var thetaScale = MathF.Pow(Config.RopeBase, -2.0f / Config.RopeDims);
        for (var p = 0; p < t; p++)
        {
            float theta = p;
            for (var i = 0; i < half; i++)
            {
                cos[(p * half) + i] = MathF.Cos(theta);
                sin[(p * half) + i] = MathF.Sin(theta);
                theta *= thetaScale;
            }
        }

        return (cos, sin);
    }

    private void ApplyRope(float[] x, int t, int heads, float[] cos, float[] sin, bool inverse)
    {
        var hd = Config.HeadDim;
        var half = Config.RopeDims / 2;
        for (var p = 0; p < t; p++)
        {
            for (var h = 0; h < heads; h++)
            {
                var o = ((p * heads) + h) * hd;
                for (var i = 0; i < half; i++)
                {
                    var cs = cos[(p * half) + i];
                    var sn = inverse ? -sin[(p * half) + i] : sin[(p * half) + i];
                    var x0 = x[o + (2 * i)];
                    var x1 = x[o + (2 * i) + 1];
                    x[o + (2 * i)] = (x0 * cs) - (x1 * sn);
                    x[o + (2 * i) + 1] = (x0 * sn) + (x1 * cs);
                }
            }
        }
    }

    private void Attention(Activations a, int t)
    {
        var c = Config;
        var hd = c.HeadDim;
        var group = c.Heads / c.KvHeads;
        var scale = 1f / MathF.Sqrt(hd);
        Kernels.For(c.Heads, Threads, (long)t * t * hd * c.Heads, (h0, h1) =>
        {
            for (var h = h0; h < h1; h++)
            {
                var g = h / group;
                for (var i = 0; i < t; i++)
                {
                    var q = new ReadOnlySpan<float>(a.Qr, (i * c.QDim) + (h * hd), hd);
                    var prow = new Span<float>(a.P, ((h * t) + i) * t, i + 1);
                    for (var j = 0; j <= i; j++)
                    {
                        prow[j] = TensorPrimitives.Dot(q, new ReadOnlySpan<float>(a.Kr, (j * c.KvDim) + (g * hd), hd)) * scale;
                    }

                    TensorPrimitives.Subtract(prow, TensorPrimitives.Max(prow), prow);
                    TensorPrimitives.SoftMax(prow, prow);
                    var o = new Span<float>(a.Att, (i * c.QDim) + (h * hd), hd);
                    o.Clear();
                    for (var j = 0; j <= i; j++)
                    {
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(a.V, (j * c.KvDim) + (g * hd), hd), prow[j], o, o);
                    }
                }
            }
        });
    }

    private void AttentionBack(Activations a, float[] dAtt, float[] dQ, float[] dK, float[] dV, int t)
    {
        var c = Config;
        var hd = c.HeadDim;
        var group = c.Heads / c.KvHeads;
        var scale = 1f / MathF.Sqrt(hd);
        // parallel over KV heads: the query heads of one group write the same dK/dV rows
        Kernels.For(c.KvHeads, Threads, (long)t * t * hd * c.Heads * 2, (g0, g1) =>
        {
            var dp = new float[t];
            for (var g = g0; g < g1; g++)
            {
                for (var h = g * group; h < (g + 1) * group; h++)
                {
                    for (var i = 0; i < t; i++)
                    {
                        var dout = new ReadOnlySpan<float>(dAtt, (i * c.QDim) + (h * hd), hd);
                        var prow = new ReadOnlySpan<float>(a.P, ((h * t) + i) * t, i + 1);
                        double dot = 0;
                        for (var j = 0; j <= i; j++)
                        {
                            dp[j] = TensorPrimitives.Dot(dout, new ReadOnlySpan<float>(a.V, (j * c.KvDim) + (g * hd), hd));
                            dot += prow[j] * dp[j];
                            var dvr = new Span<float>(dV, (j * c.KvDim) + (g * hd), hd);
                            TensorPrimitives.MultiplyAdd(dout, prow[j], dvr, dvr);
                        }

                        var q = new ReadOnlySpan<float>(a.Qr, (i * c.QDim) + (h * hd), hd);
                        var dq = new Span<float>(dQ, (i * c.QDim) + (h * hd), hd);
                        for (var j = 0; j <= i; j++)
                        {
                            var ds = prow[j] * (float)(dp[j] - dot) * scale;
                            if (ds == 0)
                            {
                                continue;
                            }

                            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(a.Kr, (j * c.KvDim) + (g * hd), hd), ds, dq, dq);
                            var dkr = new Span<float>(dK, (j * c.KvDim) + (g * hd), hd);
                            TensorPrimitives.MultiplyAdd(q, ds, dkr, dkr);
                        }
                    }
                }
            }
        });
    }

    private sealed class Block
    {
        public required float[] AttnNorm { get; init; }

        public required Linear Q { get; init; }

        public required Linear K { get; init; }

        public required Linear V { get; init; }

        public required Linear O { get; init; }

        public required float[] FfnNorm { get; init; }

        public required Linear Gate { get; init; }

        public required Linear Up { get; init; }

        public required Linear Down { get; init; }

        public IEnumerable<(string Key, Linear Linear)> Linears() =>
            [("q", Q), ("k", K), ("v", V), ("o", O), ("gate", Gate), ("up", Up), ("down", Down)];
    }

    private sealed class Activations
    {
        public float[] Xin = [], H1 = [], R1 = [], Qr = [], Kr = [], V = [], P = [], Att = [], Xmid = [], H2 = [], R2 = [], G = [], U = [], Act = [];
        public Linear.Cache? QC, KC, VC, OC, GC, UC, DC;
    }

    private sealed class Pass(int t, (float[] Cos, float[] Sin) rope)
    {
        public int T { get; } = t;

        public float[] Cos { get; } = rope.Cos;

        public float[] Sin { get; } = rope.Sin;

        public List<Activations> Layers { get; } = [];

        public float[] FinalX { get; set; } = [];

        public float[] FinalNormed { get; set; } = [];

        public float[] FinalInv { get; set; } = [];
    }
}
