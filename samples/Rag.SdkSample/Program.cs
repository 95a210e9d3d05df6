// The Rag SDK in one page: compose through AddRag(configuration), ingest a folder, ask a question, stream the answer
// with its sources.
//
//   dotnet run --project samples/Rag.SdkSample -- [FOLDER] [QUESTION] [--Rag:Section:Key=Value ...]
//
// FOLDER defaults to samples/data. Every setting comes from configuration (appsettings.json beside the program,
// Rag__... environment variables, --Rag:...=... arguments): for example --Rag:Model:Chat:ModelPath=/models/qwen.gguf
// or --Rag:Index:Directory=/tmp/my-index. The default chat model is the tiny stories260K test model, which writes
// children's stories rather than answers; the retrieval and the sources are real either way.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rag.Core.Answering;
using Rag.Core.Retrieval;
using Rag.Ingest.Pipeline;
using Rag.Samples;

var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var folder = positional.Length > 0 ? positional[0] : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "data");
var question = positional.Length > 1 ? positional[1] : "How do I install Rag?";

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rag:Index:Directory"] = Path.Combine(Path.GetTempPath(), "rag-sdk-sample"),
        ["Rag:Model:Embedding:Threads"] = "1",
        ["Rag:Retrieval:TopK"] = "3",
        ["Rag:Answer:MaxSources"] = "3",
        ["Rag:Answer:MaxOutputTokens"] = "64",
    })
    .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args.Skip(positional.Length).ToArray())
    .Build();

var services = new ServiceCollection();
services.AddRag(configuration)
    .AddOnnxEmbeddings()   // all-MiniLM-L6-v2 on ONNX Runtime (Rag:Model:Embedding)
    .AddIngestion()        // loaders, chunker, pipeline, and the index store they write (Rag:Ingest, Rag:Index)
    .AddAnswerer()         // numbered sources in, cited answer out (Rag:Answer)
    .AddChatModel();       // llama.cpp behind IChatClient (Rag:Model:Chat)
await using var provider = services.BuildServiceProvider();

// 1. Ingest: unchanged files are skipped on the next run.
await foreach (var result in provider.GetRequiredService<IngestionPipeline>().IngestPathsAsync([folder]))
{
    Console.WriteLine($"{result.Status,-10} {result.DocumentId} ({result.ChunkCount} chunks)");
}

// 2. Retrieve: hybrid BM25 + vector search over the latest committed snapshot.
var hits = await provider.GetRequiredService<IRetriever>().RetrieveAsync(question);

// 3. Answer: stream the model's text, then list the sources it was given.
var answerer = provider.GetRequiredService<RagAnswerer>();
var sources = answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));
Console.WriteLine($"\nQ: {question}");
Console.Write("A: ");
await foreach (var delta in answerer.StreamAsync(question, sources))
{
    Console.Write(delta.Text);
}

Console.WriteLine($"\n\n(answered by {provider.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()?.DefaultModelId})");
foreach (var s in sources)
{
    // The section the chunk starts in; its heading path begins with the title when the document's first heading is it.
    var headings = s.Chunk.HeadingPath.SkipWhile((h, i) => i == 0 && h == s.Chunk.Title).ToList();
    var section = headings.Count > 0 ? " > " + string.Join(" > ", headings) : "";
    Console.WriteLine($"[{s.Number}] {s.Chunk.Title ?? s.Chunk.DocumentId}{section} ({s.Chunk.DocumentId}, score {s.Score:F3})");
}
