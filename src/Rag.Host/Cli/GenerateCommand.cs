using System.Globalization;

namespace Rag.Host.Cli;

/// <summary>
/// <c>rag generate</c>: without <c>--lora</c> it is the model library's generate; with one or more
/// <c>--lora PATH [--lora-scale S]</c> pairs it loads the adapters once and generates with them.
/// </summary>
internal static class GenerateCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (!args.Contains("--lora"))
        {
            return ModelCommands.RunAsync(["generate", .. args], stdout, stderr, ct);
        }

        var loras = new List<string>();
        var scales = new List<float>();
        var rest = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                stderr.WriteLine($"rag generate: expected --name value, got '{args[i]}'");
                return Task.FromResult(2);
            }

            var value = args[++i];
            switch (args[i - 1])
            {
                case "--lora": loras.Add(value); break;
                case "--lora-scale": scales.Add(float.Parse(value, CultureInfo.InvariantCulture)); break;
                default: rest[args[i - 1][2..]] = value; break;
            }
        }

        if (!rest.TryGetValue("model", out var model) || !rest.TryGetValue("prompt", out var prompt))
        {
            stderr.WriteLine("rag generate: --model and --prompt are required");
            return Task.FromResult(2);
        }

        int Int(string name, int fallback) => rest.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var temperature = rest.TryGetValue("temperature", out var t) ? float.Parse(t, CultureInfo.InvariantCulture) : 0.8f;
        uint? seed = rest.TryGetValue("seed", out var s) ? uint.Parse(s, CultureInfo.InvariantCulture) : null;
        return LoraCommands.GenerateAsync(model, prompt, Int("max-tokens", 128), temperature, Int("threads", 1), seed, loras, scales,
            stdout, stderr, ct, Int("ctx", 2048));
    }
}
