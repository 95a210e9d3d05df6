using System.Collections.Concurrent;

namespace Rag.Host.Tests.Cli;

/// <summary>
/// The CLI's error contract, checked on the real <c>rag</c> binary: every bad invocation exits 2 with exactly one
/// <c>rag: error:</c> line on stderr, no unhandled exception, no stack frame, and nothing on stdout.
/// </summary>
public sealed class CliContractTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_bad_invocation_is_one_error_line_exit_2_and_no_output()
    {
        var stories = TestModels.Stories260K;
        var samples = RagProcess.SamplesData;
        var notGguf = _dir.File("notes.txt", "this is not a model\n");
        var corrupt = _dir.File("corrupt.gguf", File.ReadAllBytes(stories).AsSpan(0, 4096).ToArray());
        var story = TestModels.TestData("tiny-story.txt");
        var notAnIndex = Directory.CreateDirectory(_dir.Combine("not-an-index")).FullName;
        File.WriteAllText(Path.Combine(notAnIndex, "random.bin"), "x");
        var emptyFolder = Directory.CreateDirectory(_dir.Combine("empty")).FullName;
        var throughFile = Path.Combine(notGguf, "sub"); // a folder path that runs through a file: unreadable as a folder
        var index = _dir.Combine("index");
        var (code, _, err) = await CliTests.RunAsync("ingest", samples, "--index", index);
        Assert.True(code == 0, err);

        string[][] cases =
        [
            [],
            ["frobnicate"],
            ["--frobnicate"],
            ["ask"],
            ["ask", "q", "--index", index, "--max-tokens", "0"],
            ["ask", "q", "--index", index, "--max-tokens", "-1"],
            ["ask", "q", "--index", index, "--threads", "abc"],
            ["ask", "q", "--index", index, "--threads", "0"],
            ["ask", "q", "--index", index, "--sources", "0"],
            ["ask", "q", "--index", index, "--model", "/nonexistent/model.gguf"],
            ["ask", "q", "--index", index, "--model", notGguf],
            ["ask", "q", "--index", index, "--model", corrupt],
            ["ask", "q", "--index", _dir.Combine("no-such-index")],
            ["ask", "q", "--index", notAnIndex],
            ["ask", "q", "--index", index, "--no-such-option"],
            ["ask", "q1", "q2", "--index", index],
            ["demo", "--data", "/nonexistent/data"],
            ["demo", "--index", _dir.Combine("demo1"), "--model", notGguf],
            ["demo", "--index", _dir.Combine("demo2"), "--model", corrupt],
            ["demo", "--threads", "0"],
            ["demo", "--bogus"],
            ["ingest"],
            ["ingest", "/nonexistent/path", "--index", _dir.Combine("i1")],
            ["ingest", throughFile, "--index", _dir.Combine("i2")],
            ["ingest", samples, "--index", _dir.Combine("i3"), "--max-tokens", "0"],
            ["ingest", samples, "--index", _dir.Combine("i4"), "--max-tokens", "abc"],
            ["ingest", samples, "--index", _dir.Combine("i5"), "--commit-every", "0"],
            ["ingest", samples, "--index", _dir.Combine("i6"), "--overlap", "-1"],
            ["ingest", samples, "--index", notAnIndex],
            ["generate"],
            ["generate", "--model", stories],
            ["generate", "--model", stories, "--prompt", "x", "--max-tokens", "-1"],
            ["generate", "--model", stories, "--prompt", "x", "--temperature", "abc"],
            ["generate", "--model", stories, "--prompt", "x", "--ctx", "0"],
            ["generate", "--model", notGguf, "--prompt", "x"],
            ["generate", "--model", corrupt, "--prompt", "x"],
            ["generate", "--model", "/nonexistent/model.gguf", "--prompt", "x"],
            ["generate", "--model", stories, "--prompt", "x", "--lora", "/nonexistent/a.gguf"],
            ["generate", "--model", stories, "--prompt", "x", "--lora", notGguf],
            ["generate", "--model", stories, "--prompt", "x", "--lora-scale", "0.5"],
            ["generate", "--model", stories, "--prompt", "x", "--grammar", "@/nonexistent/g.gbnf"],
            ["generate", "--model", stories, "--prompt", "x", "--grammar", "root ::= ("],
            ["tokenize", "--model", stories],
            ["tokenize", "--model", notGguf, "--text", "hi"],
            ["perplexity", "--model", stories, "--file", "/nonexistent/story.txt"],
            ["perplexity", "--model", stories, "--file", story, "--ctx", "1"],
            ["perplexity", "--model", stories, "--file", emptyFolder],
            ["bench"],
            ["bench", "decode", "--model", stories, "--tokens", "0"],
            ["bench", "serve", "--model", stories, "--streams", "1,x"],
            ["bench", "embed", "--model", stories, "--batches", "0"],
            ["models", "info", "--model", notGguf],
            ["models", "gguf", "--model", notGguf],
            ["models", "gguf", "--model", corrupt],
            ["models", "quantize", "--model", stories],
            ["models", "synth", "--shape", "gpt5", "--out", _dir.Combine("s.gguf")],
            ["models", "synth", "--shape", "custom", "--layers", "many", "--out", _dir.Combine("s.gguf")],
            ["models", "lora", "--base", "/nonexistent/base.gguf", "--out", _dir.Combine("l.gguf")],
            ["models", "lora", "--base", notGguf, "--out", _dir.Combine("l.gguf")],
            ["eval", "retrieval"],
            ["eval", "retrieval", "--dataset", "/nonexistent/beir"],
            ["eval", "retrieval", "--dataset", emptyFolder],
            ["eval", "retrieval", "--dataset", emptyFolder, "--retriever", "magic"],
            ["eval", "faithfulness", "--limit", "abc"],
            ["setup"],
        ];
        Assert.True(cases.Length >= 40);

        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2) }, async (args, _) =>
        {
            var (exit, stdout, stderr) = await RagProcess.RunAsync(_dir.Path, null, args);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var problems = new List<string>();
            if (exit != 2)
            {
                problems.Add($"exit {exit}");
            }

            if (lines.Count(l => l.StartsWith("rag: error: ", StringComparison.Ordinal)) != 1)
            {
                problems.Add($"{lines.Count(l => l.StartsWith("rag: error: ", StringComparison.Ordinal))} 'rag: error:' lines");
            }

            if (stderr.Contains("Unhandled exception", StringComparison.Ordinal) || lines.Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)))
            {
                problems.Add("stack trace");
            }

            if (stdout.Length > 0)
            {
                problems.Add("stdout not empty: " + stdout[..Math.Min(80, stdout.Length)]);
            }

            if (problems.Count > 0)
            {
                failures.Add($"rag {string.Join(' ', args)} -> {string.Join("; ", problems)}\n    stderr: {stderr.Trim()[..Math.Min(300, stderr.Trim().Length)]}");
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Length} invocations broke the contract:\n" + string.Join("\n", failures.OrderBy(f => f, StringComparer.Ordinal)));
    }
}
