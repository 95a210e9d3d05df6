using System.Diagnostics;
using Rag.Model.Serving;
using Xunit.Abstractions;

namespace Rag.Model.Tests.Serving;

public class PrefixCacheTests(Stories260KFixture fx, ITestOutputHelper output) : IClassFixture<Stories260KFixture>
{
    private static readonly string[] Sentences =
    [
        "Lily and Ben went to the park to play with the big red ball.",
        "The sun was warm and the birds sang in the tall green trees.",
        "Mom made a cake and the children helped her mix the flour.",
        "Tom saw a little cat under the bench and gave it some milk.",
    ];

    private string Prefix(int seed, int tokens)
    {
        var words = new List<string> { $"Story {seed}." };
        var i = seed;
        while (fx.Model.Tokenize(string.Join(" ", words)).Length < tokens)
        {
            words.Add(Sentences[i++ % Sentences.Length]);
        }

        var all = fx.Model.Tokenize(string.Join(" ", words));
        return fx.Model.Detokenize(all.AsSpan(1, tokens - 1));
    }

    private static async Task<(double Ttft, string Text)> Timed(LlamaBatchScheduler s, string prompt, int max = 16)
    {
        var sw = Stopwatch.StartNew();
        double first = -1;
        var text = "";
        await foreach (var t in s.GenerateAsync(prompt, Stories260KFixture.Greedy(max)))
        {
            if (first < 0)
            {
                first = sw.Elapsed.TotalMilliseconds;
            }

            text += t.Text;
        }

        return (first, text);
    }

    [Fact]
    public async Task Repeated_1000_token_prefix_cuts_time_to_first_token_at_least_5x_and_output_is_unchanged()
    {
        var options = new LlamaSchedulerOptions { ContextSize = 4096, MaxSequences = 4, Threads = 1, BatchSize = 512, PrefixCacheTokenBudget = 2048 };
        await using var s = new LlamaBatchScheduler(fx.Model, options);
        await Timed(s, "warm up");
        var cold = new List<double>();
        var hot = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var prefix = Prefix(round, 1000);
            Assert.InRange(fx.Model.Tokenize(prefix).Length, 995, 1005);
            cold.Add((await Timed(s, prefix + " Once upon a time")).Ttft);
            var before = s.GetStatistics().PrefixCacheHitTokens;
            hot.Add((await Timed(s, prefix + " The little dog")).Ttft);
            Assert.True(s.GetStatistics().PrefixCacheHitTokens - before >= 990);
        }

        cold.Sort();
        hot.Sort();
        var ratio = cold[1] / hot[1];
        output.WriteLine($"TTFT 1000-token prefix: cold median {cold[1]:F1} ms, cached median {hot[1]:F1} ms, ratio {ratio:F1}x");
        Assert.True(ratio >= 5, $"cold {cold[1]:F1} ms, hot {hot[1]:F1} ms, ratio {ratio:F1}");

        // The reused cells give the same continuation as a cold run.
        var last = Prefix(2, 1000) + " The little dog";
        options.EnablePrefixCache = false;
        await using var plain = new LlamaBatchScheduler(fx.Model, options);
        Assert.Equal((await Timed(plain, last, 32)).Text, (await Timed(s, last, 32)).Text);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cache_honours_its_token_budget_and_evicts_least_recently_used(bool unifiedKv)
    {
        var options = new LlamaSchedulerOptions
        {
            UnifiedKvCache = unifiedKv, ContextSize = unifiedKv ? 2048 : 6 * 256, MaxSequences = 2, Threads = 1, BatchSize = 256, PrefixCacheEntries = 4, PrefixCacheTokenBudget = 330, PrefixCacheMinTokens = 32,
        };
        await using var s = new LlamaBatchScheduler(fx.Model, options);
        var prompts = Enumerable.Range(0, 6).Select(i => Prefix(10 + i, 100)).ToArray();
        foreach (var p in prompts)
        {
            await s.GenerateTextAsync(p, Stories260KFixture.Greedy(4));
            var st = s.GetStatistics();
            Assert.InRange(st.PrefixCacheTokens, 0, 330);
            Assert.InRange(s.PrefixCacheCellsInKv(), 0, 330);
        }

        Assert.Equal(3, s.GetStatistics().PrefixCacheEntries); // 3 × 100 tokens fit in 330
        Assert.Equal(300, s.PrefixCacheCellsInKv());

        var hits = s.GetStatistics().PrefixCacheHitTokens;
        await s.GenerateTextAsync(prompts[5] + " and then", Stories260KFixture.Greedy(2)); // most recent: kept
        Assert.True(s.GetStatistics().PrefixCacheHitTokens - hits >= 99);
        hits = s.GetStatistics().PrefixCacheHitTokens;
        await s.GenerateTextAsync(prompts[0] + " and then", Stories260KFixture.Greedy(2)); // oldest: evicted
        Assert.Equal(hits, s.GetStatistics().PrefixCacheHitTokens);
    }
}
