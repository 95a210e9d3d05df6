using System.Diagnostics;
using Microsoft.Extensions.AI;
using Rag.Model.Chat;
using Rag.Model.Embeddings;
using Rag.Model.Lora;
using Rag.Model.Serving;
using Xunit.Abstractions;
using Rag.Model.Inference;
using Rag.Model.Sampling;
using Rag.Tools.Synthetic;

namespace Rag.Model.Tests.Serving;

/// <summary>Runs alone: other tests' allocations would land in the RSS window.</summary>
[CollectionDefinition(nameof(ServingLifetimeTests), DisableParallelization = true)]
public sealed class ServingLifetimeCollection;

[Collection(nameof(ServingLifetimeTests))]
public class ServingLifetimeTests(BertModelsFixture bert, ITestOutputHelper output) : IClassFixture<BertModelsFixture>
{
    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Return freed native heap pages to the OS first, so RSS counts live memory rather than glibc's free lists.
        NativeHeap.Trim();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Five_hundred_cycles_of_sequences_adapters_and_clients_leave_rss_flat()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rag-serving-rss-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var adapterPath = Path.Combine(dir, "a.gguf");
        LoraAdapterWriter.Write(TestModels.Stories260K, adapterPath, new LoraAdapterOptions { Seed = 5 });
        using var model = LlamaModel.Load(TestModels.Stories260K);
        using var embedModel = LlamaModel.Load(bert.EmbeddingPath);
        var start = new List<long>();
        var last = new List<long>();
        // RSS grows for the first ~150 cycles (JIT tiering, glibc arenas for the worker threads) and is flat after
        // that, so the 500 measured cycles start after a warm-up.
        const int WarmUp = 150;
        const int Cycles = WarmUp + 500;
        for (var i = 0; i < Cycles; i++)
        {
            using (var adapter = LlamaLoraAdapter.Load(model, adapterPath))
            using (var client = new LlamaChatClient(new LlamaBatchScheduler(model, new LlamaSchedulerOptions { ContextSize = 256, MaxSequences = 2, Threads = 1, BatchSize = 64, PrefixCacheEntries = 1 }),
                new LlamaChatClientOptions { Adapters = LoraAdapterSet.Of(adapter, 0.5f) }, ownsScheduler: true))
            await using (var embedder = new LlamaEmbedder(embedModel, new LlamaEmbedderOptions { Threads = 1, BatchTokens = 64, MaxInputsPerBatch = 4 }))
            {
                var r = await client.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 });
                Assert.NotEmpty(r.Text);
                using var cts = new CancellationTokenSource();
                var stream = client.Scheduler.GenerateAsync("The dog", new GenerationOptions { MaxTokens = 1000, IgnoreEndOfGeneration = true, Sampling = SamplingOptions.Greedy }, cancellationToken: cts.Token);
                await using (var e = stream.GetAsyncEnumerator())
                {
                    Assert.True(await e.MoveNextAsync());
                    cts.Cancel();
                }

                Assert.Equal(128, (await embedder.EmbedAsync("hello world")).Length);
            }

            // Single RSS readings jump by a few MiB as glibc trims or grows arenas, so compare averages of 5 readings.
            if (i % 10 == 9 && (i >= WarmUp - 50 && i < WarmUp || i >= Cycles - 50))
            {
                var rss = Rss();
                output.WriteLine($"cycle {i + 1}: {rss / 1048576.0:F1} MiB");
                (i < WarmUp ? start : last).Add(rss);
            }
        }

        var baseline = (long)start.Average();
        var end = (long)last.Average();
        output.WriteLine($"RSS after {WarmUp} warm-up cycles {baseline / 1048576.0:F1} MiB, after 500 more {end / 1048576.0:F1} MiB ({(end - baseline) * 100.0 / baseline:F2}%)");
        Assert.InRange(end, 0, baseline * 105 / 100);
        Directory.Delete(dir, recursive: true);
    }
}
