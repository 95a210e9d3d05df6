// Child process of Rag.LLamaSharp.Tests. Usage:
//   pipeline WORKDIR MODEL   ingest three stories, retrieve, answer greedily over LLamaSharp; prints one JSON line
//   guard-model-first MODEL  load Rag.Model's native stack, then ask for LLamaSharp's
//   guard-llamasharp-first MODEL  the other way round
// A refused stack prints "refused: <message>" and exits 3.
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Core.Retrieval;
using Rag.Ingest.Pipeline;
using Rag.Core.Storage;
using Rag.LLamaSharp;
using Rag.Model.Native;

var mode = args[0];
var model = args[^1];
var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Rag:Model:Chat:ModelPath"] = model,
    ["Rag:Model:Chat:Threads"] = "1",
    ["Rag:Model:Chat:ContextSize"] = "1024",
    ["Rag:Model:Embedding:ModelPath"] = model,
    ["Rag:Model:Embedding:Threads"] = "1",
    ["Rag:Model:Embedding:ContextSize"] = "512",
}).Build();

ServiceProvider Compose(string? indexDirectory = null)
{
    var services = new ServiceCollection();
    var configuration = indexDirectory is null ? config : new ConfigurationBuilder()
        .AddConfiguration(config)
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Rag:Index:Directory"] = indexDirectory, ["Rag:Retrieval:TopK"] = "2" })
        .Build();
    var rag = services.AddRag(configuration).AddLLamaSharp();
    if (indexDirectory is not null)
    {
        rag.AddIngestion();
    }

    return services.BuildServiceProvider();
}

try
{
    switch (mode)
    {
        case "guard-model-first":
        {
            LlamaBackend.Initialize();
            using var sp = Compose();
            _ = sp.GetRequiredService<IChatClient>();
            Console.WriteLine("loaded both");
            return 0;
        }

        case "guard-llamasharp-first":
        {
            using var sp = Compose();
            _ = sp.GetRequiredService<IChatClient>();
            LlamaBackend.Initialize();
            Console.WriteLine("loaded both");
            return 0;
        }

        case "pipeline":
            return await Pipeline(args[1]);
        default:
            Console.Error.WriteLine($"unknown mode {mode}");
            return 2;
    }
}
catch (Exception ex) when (ex is NativeStackConflictException or LlamaNativeLibraryException)
{
    Console.WriteLine("refused: " + ex.Message);
    return 3;
}

async Task<int> Pipeline(string work)
{
    var docs = Path.Combine(work, "docs");
    Directory.CreateDirectory(docs);
    await File.WriteAllTextAsync(Path.Combine(docs, "ball.txt"), "Lily found a big red ball in the park. She played with the ball all day with her dog Max.");
    await File.WriteAllTextAsync(Path.Combine(docs, "cake.txt"), "Tom baked a cake for his mom. The cake was sweet and had red berries on top.");
    await File.WriteAllTextAsync(Path.Combine(docs, "boat.txt"), "Sue and Ben made a little boat. The boat sailed on the pond until the wind blew it home.");

    await using var sp = Compose(Path.Combine(work, "index"));
    var pipeline = sp.GetRequiredService<IngestionPipeline>();
    var ingested = 0;
    await foreach (var r in pipeline.IngestPathsAsync([docs]))
    {
        ingested += r.Status == IngestStatus.Indexed ? 1 : 0;
    }

    var store = sp.GetRequiredService<IndexStore>();
    var embedder = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
    var retriever = sp.GetRequiredService<IRetriever>();
    const string question = "What did Lily find in the park?";
    var hits = await retriever.RetrieveAsync(question);
    var answerer = new RagAnswerer(sp.GetRequiredService<IChatClient>(), new AnswerOptions { Temperature = 0, MaxOutputTokens = 24, MaxSources = 2 });
    var sources = answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));
    var messages = answerer.BuildMessages(question, sources);
    var answer = await answerer.AnswerAsync(question, sources);
    var counter = sp.GetRequiredService<ITokenCounter>();
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        ingested,
        chunks = store.Manifest.ChunkCount,
        vectorDimension = (await embedder.GenerateAsync([question]))[0].Vector.Length,
        top = hits.Select(h => h.Chunk.Text).ToArray(),
        system = messages[0].Text,
        user = messages[1].Text,
        answer = answer.Text,
        tokenCounter = counter.Name,
        questionTokens = counter.CountTokens(question),
    }));
    return 0;
}
