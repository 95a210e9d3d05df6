using Rag.Model.Gguf;
using Rag.Model.Lora;
using Rag.Training.Internal;

namespace Rag.Training.Tests;

/// <summary>Acceptance 1: the trainer's forward pass equals llama.cpp's, and its gradients equal finite differences.</summary>
public class ForwardTests
{
    private const string Text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

    [Fact]
    public void Base_logits_equal_llama_cpp_within_1e_4_relative()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        var tokens = model.Tokenize(Text);
        var expected = LlamaCpp.Logits(model, tokens);
        var trainer = LoraTrainer.Create(TestModels.Stories260K);
        var actual = trainer.ComputeLogits(tokens);
        var err = LlamaCpp.MaxRelativeError(actual, expected, model.VocabSize);
        Assert.True(err < 1e-4, $"max relative logit error {err:E2} over {tokens.Length} positions");
    }

    [Fact]
    public void Lora_logits_equal_llama_cpp_with_the_exported_adapter()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        var tokens = model.Tokenize(Text);
        var trainer = LoraTrainer.Create(TestModels.Stories260K, new LoraTrainingOptions { Rank = 4, Alpha = 8 });
        Randomize(trainer.Network, 0.1f, 3);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "a.gguf");
        trainer.ExportAdapter().Write(path);
        using var adapter = LlamaLoraAdapter.Load(model, path);
        var expected = LlamaCpp.Logits(model, tokens, LoraAdapterSet.Of(adapter));
        var baseLogits = LlamaCpp.Logits(model, tokens);
        Assert.True(LlamaCpp.MaxRelativeError(baseLogits, expected, model.VocabSize) > 1e-2, "the adapter changes the logits");
        var err = LlamaCpp.MaxRelativeError(trainer.ComputeLogits(tokens), expected, model.VocabSize);
        Assert.True(err < 1e-4, $"max relative logit error with LoRA {err:E2}");
    }

    [Fact]
    public void Lora_gradients_equal_central_finite_differences()
    {
        using var model = LlamaCpp.Load(TestModels.Stories260K);
        var tokens = model.Tokenize("Once upon a time, there was a girl.");
        var trainer = LoraTrainer.Create(TestModels.Stories260K, new LoraTrainingOptions { Rank = 2, Alpha = 4 });
        var net = trainer.Network;
        Randomize(net, 0.05f, 9);
        const int firstTarget = 4;
        foreach (var l in net.Loras)
        {
            l.ZeroGrad();
        }

        net.LossAndBackward(tokens, firstTarget, 1f, 0f, null, out _);
        var checkedCount = 0;
        var failures = new List<string>();
        foreach (var l in net.Loras.Where((_, i) => i % 3 == 0))
        {
            foreach (var (p, g, name) in new[] { (l.A, l.GradA, "A"), (l.B, l.GradB, "B") })
            {
                // the two largest gradient entries of each sampled matrix: a clear signal over float rounding
                foreach (var i in Enumerable.Range(0, p.Length).OrderByDescending(i => Math.Abs(g[i])).Take(2))
                {
                    const float eps = 1e-2f;
                    var keep = p[i];
                    p[i] = keep + eps;
                    var up = net.LossAndBackward(tokens, firstTarget, 0f, 0f, null, out _);
                    p[i] = keep - eps;
                    var down = net.LossAndBackward(tokens, firstTarget, 0f, 0f, null, out _);
                    p[i] = keep;
                    var fd = (up - down) / (2 * eps);
                    checkedCount++;
                    if (Math.Abs(fd - g[i]) > (2e-2 * Math.Abs(g[i])) + 2e-3)
                    {
                        failures.Add($"{l.BaseName}.{name}[{i}]: analytic {g[i]:E4}, finite difference {fd:E4}");
                    }
                }
            }
        }

        Assert.True(checkedCount >= 40, $"{checkedCount} checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    internal static void Randomize(LlamaNetwork net, float std, int seed)
    {
        var rng = new Random(seed);
        foreach (var l in net.Loras)
        {
            for (var i = 0; i < l.B.Length; i++)
            {
                l.B[i] = (float)(rng.NextDouble() - 0.5) * 2 * std;
            }
        }
    }
}
