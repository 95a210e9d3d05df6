namespace Rag.Training.Internal;

/// <summary>The trainable A (r × in) and B (out × r) of one adapted weight, with gradients and AdamW moments.</summary>
internal sealed class LoraLayer(string baseName, int inSize, int outSize, int rank)
{
    public string BaseName { get; } = baseName;

    public int In { get; } = inSize;

    public int Out { get; } = outSize;

    public int Rank { get; } = rank;

    public float[] A { get; } = new float[rank * inSize];

    public float[] B { get; } = new float[outSize * rank];

    public float[] GradA { get; } = new float[rank * inSize];

    public float[] GradB { get; } = new float[outSize * rank];

    public float[] MA { get; } = new float[rank * inSize];

    public float[] VA { get; } = new float[rank * inSize];

    public float[] MB { get; } = new float[outSize * rank];

    public float[] VB { get; } = new float[outSize * rank];

    public int ParameterCount => A.Length + B.Length;

    public void ZeroGrad()
    {
        Array.Clear(GradA);
        Array.Clear(GradB);
    }
}

/// <summary>A frozen weight W (out × in, row-major: ggml's layout) with an optional LoRA.</summary>
internal sealed class Linear(float[] w, int inSize, int outSize)
{
    public float[] W { get; } = w;

    public int In { get; } = inSize;

    public int Out { get; } = outSize;

    public LoraLayer? Lora { get; set; }

    /// <summary>What the backward pass needs from one forward.</summary>
    public sealed class Cache
    {
        public float[]? Xd; // dropped-out input of the LoRA path (null: same as the input)
        public float[]? Mask; // dropout mask with the 1/(1-p) scale folded in
        public float[]? U; // Xd · Aᵀ, rows × r
    }

    public Cache Forward(float[] x, float[] y, int rows, float scale, float dropout, Random? rng, int threads)
    {
        Kernels.MatMulT(x, W, y, rows, In, Out, threads);
        var cache = new Cache();
        if (Lora is not { } l)
        {
            return cache;
        }

        var xd = x;
        if (dropout > 0 && rng is not null)
        {
            var keep = 1f / (1f - dropout);
            var mask = new float[rows * In];
            xd = new float[rows * In];
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] = rng.NextSingle() < dropout ? 0f : keep;
                xd[i] = x[i] * mask[i];
            }

            cache.Mask = mask;
            cache.Xd = xd;
        }

        var u = new float[rows * l.Rank];
        Kernels.MatMulT(xd, l.A, u, rows, In, l.Rank, threads);
        cache.U = u;
        var bu = new float[rows * Out];
        Kernels.MatMulT(u, l.B, bu, rows, l.Rank, Out, threads);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bu, scale, y, y);
        return cache;
    }

    /// <summary>Accumulates the LoRA gradients and adds the input gradient to <paramref name="dx"/>.</summary>
    public void Backward(float[] x, float[] dy, float[] dx, Cache cache, int rows, float scale, int threads)
    {
        Kernels.MatMulBackInput(dy, W, dx, rows, In, Out, threads);
        if (Lora is not { } l)
        {
            return;
        }

        var u = cache.U!;
        var xd = cache.Xd ?? x;
        // y += s · U Bᵀ: dB += s · dYᵀ U, dU = s · dY B
        Kernels.MatMulBackWeight(dy, u, l.GradB, rows, l.Rank, Out, scale, threads);
        var du = new float[rows * l.Rank];
        Kernels.MatMulBackInput(dy, l.B, du, rows, l.Rank, Out, threads);
        System.Numerics.Tensors.TensorPrimitives.Multiply(du, scale, du);
        // U = Xd Aᵀ: dA += dUᵀ Xd, dXd = dU A
        Kernels.MatMulBackWeight(du, xd, l.GradA, rows, In, l.Rank, 1f, threads);
        if (cache.Mask is null)
        {
            Kernels.MatMulBackInput(du, l.A, dx, rows, In, l.Rank, threads);
        }
        else
        {
            var dxd = new float[rows * In];
            Kernels.MatMulBackInput(du, l.A, dxd, rows, In, l.Rank, threads);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(dxd, cache.Mask, dx, dx);
        }
    }
}
