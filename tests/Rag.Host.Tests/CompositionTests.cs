using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;
using Rag.Core.Retrieval;
using Rag.Ingest.Pipeline;

namespace Rag.Host.Tests;

/// <summary>Core + Ingest + Model composed with nothing but <c>services.AddRag(configuration)</c> and an appsettings file.</summary>
public sealed class CompositionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AddRag_with_an_appsettings_file_ingests_and_answers()
    {
        var docs = Directory.CreateDirectory(_dir.Combine("docs")).FullName;
        File.WriteAllText(Path.Combine(docs, "retention.md"), "# Retention\n\nDaily snapshots are kept for 14 days. Weekly snapshots are kept for 8 weeks.\n");
        File.WriteAllText(Path.Combine(docs, "install.md"), "# Installing\n\nRun the installer, then start the service with systemctl.\n");
        var settings = _dir.File("appsettings.json", $$"""
            {
              "Rag": {
                "Index": { "Directory": "{{_dir.Combine("index")}}" },
                "Model": { "Chat": { "ModelPath": "{{TestModels.Stories260K}}", "Threads": 1, "ContextSize": 1024, "MaxSequences": 1, "BatchSize": 256 } },
                "Answer": { "MaxSources": 2, "MaxOutputTokens": 8 }
              }
            }
            """);
        var configuration = new ConfigurationBuilder().AddJsonFile(settings).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRag(configuration).AddIngestion().AddHashingEmbeddings().AddLlamaChat().AddAnswerer();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        var results = new List<IngestResult>();
        await foreach (var r in provider.GetRequiredService<IngestionPipeline>().IngestPathsAsync([docs]))
        {
            results.Add(r);
        }

        Assert.Equal(2, results.Count(r => r.Status == IngestStatus.Indexed));

        var hits = await provider.GetRequiredService<IRetriever>().RetrieveAsync("How long are daily snapshots kept?", 2);
        Assert.Equal("retention.md", hits[0].Chunk.DocumentId);

        var answerer = provider.GetRequiredService<RagAnswerer>();
        var sources = answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));
        var answer = await answerer.AnswerAsync("How long are daily snapshots kept?", sources);
        Assert.False(string.IsNullOrWhiteSpace(answer.Text));
        Assert.Equal("stories260K-llama-f32.gguf", answer.ModelId);
        Assert.Equal(2, provider.GetRequiredService<IOptions<AnswerOptions>>().Value.MaxSources);
    }
}
