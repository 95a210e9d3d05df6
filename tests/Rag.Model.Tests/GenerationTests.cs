using System.Text;
using System.Text.Json;
using Rag.Model.Inference;
using Rag.Model.Sampling;

namespace Rag.Model.Tests;

public sealed class GenerationTests : IDisposable
{
    private readonly LlamaModel _model = LlamaModel.Load(TestModels.Stories260K);

    public void Dispose() => _model.Dispose();

    private LlamaContext NewContext(int ctx = 256) => _model.CreateContext(new LlamaContextOptions { ContextSize = ctx, Threads = 1 });

    private static GenerationOptions Greedy(int n) => new() { MaxTokens = n, Sampling = SamplingOptions.Greedy };

    /// <summary>
    /// Golden file made by llama.cpp itself (tools built from the pinned release's source bundle):
    ///   llama-completion -m stories260K-llama-f32.gguf -p "Once upon a time" -n 64 --temp 0 -t 1 -c 256 --seed 1 -no-cnv --simple-io 2>/dev/null
    /// It prints the prompt (detokenized with SentencePiece's leading space) and then the 64 generated tokens.
    /// </summary>
    [Fact]
    public async Task Greedy_output_matches_llama_cpp_and_is_deterministic()
    {
        var golden = File.ReadAllText(TestModels.TestData("stories260K-greedy-once-upon-a-time.txt"), Encoding.UTF8);
        const string printedPrompt = " Once upon a time";
        Assert.StartsWith(printedPrompt, golden);
        var expected = golden[printedPrompt.Length..].TrimEnd('\n');

        var runs = new List<(string Text, List<int> Tokens)>();
        for (var r = 0; r < 2; r++)
        {
            using var ctx = NewContext();
            var sb = new StringBuilder();
            var tokens = new List<int>();
            await foreach (var t in ctx.GenerateAsync("Once upon a time", Greedy(64)))
            {
                sb.Append(t.Text);
                tokens.Add(t.TokenId);
            }

            runs.Add((sb.ToString(), tokens));
        }

        Assert.Equal(64, runs[0].Tokens.Count);
        Assert.Equal(expected, runs[0].Text.TrimEnd('\n'));
        Assert.Equal(runs[0].Text, runs[1].Text);
        Assert.Equal(runs[0].Tokens, runs[1].Tokens);
        // Token for token: our streamed ids detokenize to exactly the text llama.cpp printed.
        Assert.Equal(expected, _model.Detokenize(runs[0].Tokens.ToArray()).TrimEnd('\n'));
    }

    [Fact]
    public async Task A_second_concurrent_stream_on_one_context_is_refused()
    {
        using var ctx = NewContext();
        await using var first = ctx.GenerateAsync("Once upon a time", Greedy(50)).GetAsyncEnumerator();
        Assert.True(await first.MoveNextAsync());
        await using var second = ctx.GenerateAsync("Once", Greedy(5)).GetAsyncEnumerator();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await second.MoveNextAsync());
        Assert.True(await first.MoveNextAsync());
    }

    [Fact]
    public async Task Multi_byte_characters_split_over_byte_tokens_are_buffered_not_mangled()
    {
        // stories260K's 512-token vocabulary has no piece for "é" or "€": the grammar forces them out as byte-fallback
        // tokens (<0xC3><0xA9>, <0xE2><0x82><0xAC>), so single items carry partial UTF-8 sequences.
        using var ctx = NewContext();
        var options = Greedy(10);
        options.Sampling.Grammar = "root ::= \"é€!\"";
        var items = new List<GeneratedToken>();
        await foreach (var t in ctx.GenerateAsync("Once upon a time", options))
        {
            items.Add(t);
        }

        Assert.Equal("é€!", string.Concat(items.Select(i => i.Text)));
        Assert.DoesNotContain(items, i => i.Text.Contains('\uFFFD'));
        Assert.Contains(items, i => i.Text.Length == 0 && i.Finish is null);
        Assert.True(items.Count >= 6);
    }

    [Fact]
    public async Task Max_tokens_ends_the_stream_with_a_finish_reason()
    {
        using var ctx = NewContext();
        var items = new List<GeneratedToken>();
        await foreach (var t in ctx.GenerateAsync("Once upon a time", Greedy(7)))
        {
            items.Add(t);
        }

        Assert.Equal(7, items.Count);
        Assert.Equal(FinishReason.MaxTokens, items[^1].Finish);
        Assert.All(items[..^1], t => Assert.Null(t.Finish));
    }

    [Fact]
    public async Task Stop_string_spanning_tokens_ends_output_before_it()
    {
        using var ctx = NewContext();
        var full = await ctx.GenerateTextAsync("Once upon a time", Greedy(64));
        // "little girl" spans several tokens in stories260K's 512-token vocabulary.
        const string stop = "little girl";
        Assert.True(_model.Tokenize(stop, addSpecial: false).Length > 1);
        var cut = full.IndexOf(stop, StringComparison.Ordinal);
        Assert.True(cut > 0);

        var options = Greedy(64);
        options.StopStrings = [stop, "never appears xyz"];
        var items = new List<GeneratedToken>();
        await foreach (var t in ctx.GenerateAsync("Once upon a time", options))
        {
            items.Add(t);
        }

        var text = string.Concat(items.Select(i => i.Text));
        Assert.Equal(full[..cut], text);
        Assert.Equal(FinishReason.StopString, items[^1].Finish);
        Assert.DoesNotContain("little", text[(cut - 1)..]);
    }

    [Fact]
    public async Task Held_back_prefix_is_released_when_it_is_not_a_stop()
    {
        using var ctx = NewContext();
        var full = await ctx.GenerateTextAsync("Once upon a time", Greedy(30));
        var options = Greedy(30);
        options.StopStrings = ["girl named Bob"]; // shares the prefix "girl named " with the real text
        var text = await ctx.GenerateTextAsync("Once upon a time", options);
        Assert.Equal(full, text);
    }

    [Fact]
    public async Task Cancellation_stops_the_stream()
    {
        using var ctx = NewContext();
        using var cts = new CancellationTokenSource();
        var count = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in ctx.GenerateAsync("Once upon a time", Greedy(200), cts.Token))
            {
                if (++count == 3)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.Equal(3, count);

        // The context is reusable after a cancelled stream.
        var again = await ctx.GenerateTextAsync("Once upon a time", Greedy(5));
        Assert.NotEmpty(again);
    }

    [Fact]
    public async Task Prompt_longer_than_context_gives_a_specific_exception_and_the_process_goes_on()
    {
        using var ctx = NewContext(ctx: 32);
        // llama.cpp may round the KV cache up (to 256 cells here), so size the prompt from the actual context.
        var longPrompt = string.Join(' ', Enumerable.Repeat("Once upon a time there was a dog.", ctx.ContextSize / 4));
        var ex = Assert.Throws<LlamaContextOverflowException>(() => ctx.GenerateAsync(longPrompt, Greedy(4)));
        Assert.Equal(ctx.ContextSize, ex.ContextSize);
        Assert.True(ex.PromptTokens > ctx.ContextSize);
        Assert.NotEmpty(await ctx.GenerateTextAsync("Once", Greedy(4)));
    }

    [Fact]
    public async Task Generation_stops_when_the_context_is_full()
    {
        using var ctx = NewContext(ctx: 32);
        var items = new List<GeneratedToken>();
        var prompt = _model.Tokenize("Once upon a time");
        await foreach (var t in ctx.GenerateAsync(prompt, new GenerationOptions { MaxTokens = 5000, IgnoreEndOfGeneration = true, Sampling = SamplingOptions.Greedy }))
        {
            items.Add(t);
        }

        Assert.Equal(FinishReason.ContextFull, items[^1].Finish);
        // Every cell is used: prompt + decoded tokens fill the cache, and one more token is sampled from the last logits.
        Assert.Equal(ctx.ContextSize - prompt.Length + 1, items.Count);
    }

    [Fact]
    public void Invalid_grammar_gives_a_specific_exception_and_the_process_goes_on()
    {
        using var ctx = NewContext();
        var options = Greedy(8);
        options.Sampling.Grammar = "root ::= ( \"a\" | ";
        var ex = Assert.Throws<LlamaGrammarException>(() => ctx.GenerateAsync("Once", options));
        Assert.Equal(options.Sampling.Grammar, ex.Grammar);
        options.Sampling.Grammar = "root ::= undefined-rule";
        Assert.Throws<LlamaGrammarException>(() => ctx.GenerateAsync("Once", options));
    }

    [Fact]
    public async Task Grammar_constrains_the_output()
    {
        using var ctx = NewContext();
        var options = Greedy(20);
        options.Sampling.Grammar = "root ::= (\"yes\" | \"no\") \" \" [a-z]{2,5} \".\"";
        var text = await ctx.GenerateTextAsync("Once upon a time", options);
        Assert.Matches(@"^(yes|no) [a-z]{2,5}\.$", text);
    }

    [Fact]
    public async Task Json_schema_output_parses_and_follows_the_schema()
    {
        using var ctx = NewContext(512);
        const string schema = """
            {"type":"object","properties":{
              "name":{"type":"string"},
              "age":{"type":"integer"},
              "kind":{"enum":["cat","dog"]},
              "tags":{"type":"array","items":{"type":"boolean"}},
              "note":{"type":["string","null"]}},
             "required":["name","age","kind"]}
            """;
        var options = new GenerationOptions
        {
            MaxTokens = 200,
            Sampling = new SamplingOptions { Temperature = 0.9f, Seed = 7, JsonSchema = schema },
        };
        var text = await ctx.GenerateTextAsync("Once upon a time", options);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.String, root.GetProperty("name").ValueKind);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("age").ValueKind);
        Assert.Contains(root.GetProperty("kind").GetString(), new[] { "cat", "dog" });
    }

    [Fact]
    public async Task Seeded_sampling_is_reproducible_and_seed_changes_it()
    {
        async Task<string> Run(uint seed)
        {
            using var ctx = NewContext();
            return await ctx.GenerateTextAsync("Once upon a time", new GenerationOptions
            {
                MaxTokens = 40,
                Sampling = new SamplingOptions { Temperature = 1.2f, TopK = 50, TopP = 0.95f, MinP = 0.01f, RepeatPenalty = 1.1f, FrequencyPenalty = 0.1f, PresencePenalty = 0.1f, Seed = seed },
            });
        }

        var first = await Run(1);
        Assert.Equal(first, await Run(1));
        var others = new[] { await Run(2), await Run(3), await Run(4) };
        Assert.Contains(others, o => o != first);
    }

    [Fact]
    public async Task Logit_bias_bans_a_token()
    {
        using var ctx = NewContext();
        var baseline = new List<int>();
        await foreach (var t in ctx.GenerateAsync("Once upon a time", Greedy(16)))
        {
            baseline.Add(t.TokenId);
        }

        var banned = baseline[0];
        var options = Greedy(16);
        options.Sampling.LogitBias = new Dictionary<int, float> { [banned] = float.NegativeInfinity };
        await foreach (var t in ctx.GenerateAsync("Once upon a time", options))
        {
            Assert.NotEqual(banned, t.TokenId);
        }
    }
}
