namespace Rag.Tools.Synthetic;

/// <summary>
/// Llama 3.1+ RoPE frequency scaling ("rope_type": "llama3"). llama.cpp takes it as a per-dimension factor tensor,
/// <c>rope_freqs.weight</c> [head_dim / 2], which the writer computes the way the GGUF converter does.
/// </summary>
/// <param name="Factor">Scale applied to the low frequencies (32 for Llama-3.2).</param>
/// <param name="LowFreqFactor">Low-frequency threshold factor (1).</param>
/// <param name="HighFreqFactor">High-frequency threshold factor (4).</param>
/// <param name="OriginalContextLength">Context the base frequencies were trained for (8192).</param>
public sealed record Llama3RopeScaling(float Factor = 32f, float LowFreqFactor = 1f, float HighFreqFactor = 4f, int OriginalContextLength = 8192)
{
    /// <summary>The factors for head dimension <paramref name="headDimension"/> and base frequency <paramref name="ropeTheta"/>.</summary>
    public float[] ComputeFactors(int headDimension, float ropeTheta)
    {
        var lowWavelength = OriginalContextLength / LowFreqFactor;
        var highWavelength = OriginalContextLength / HighFreqFactor;
        var factors = new float[headDimension / 2];
        for (var i = 0; i < factors.Length; i++)
        {
            var freq = 1.0 / Math.Pow(ropeTheta, 2.0 * i / headDimension);
            var wavelength = 2 * Math.PI / freq;
            if (wavelength < highWavelength)
            {
                factors[i] = 1f;
            }
            else if (wavelength > lowWavelength)
            {
                factors[i] = Factor;
            }
            else
            {
                var smooth = ((OriginalContextLength / wavelength) - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                factors[i] = (float)(1 / (((1 - smooth) / Factor) + smooth));
            }
        }

        return factors;
    }
}
