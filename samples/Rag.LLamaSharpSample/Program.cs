// Rag over LLamaSharp: `dotnet run --project samples/Rag.LLamaSharpSample -- [FOLDER] [QUESTION]`.
// Models come from configuration like every Rag app (Rag:Model:Chat:ModelPath, Rag:Model:Embedding:ModelPath; a bare
// file name is looked up in ./models and the shared models folder), here given on the command line or defaulted to
// the tiny stories260K test model, which writes children's stories rather than answers.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rag.Core.Answering;
using Rag.Core.Retrieval;
using Rag.Ingest.Pipeline;

var folder = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "data");
var question = args.Length > 1 ? args[1] : "How do I install Rag?";
var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rag:Model:Chat:ModelPath"] = "stories260K-llama-f32.gguf",
        ["Rag:Model:Embedding:ModelPath"] = "stories260K-llama-f32.gguf",
        ["Rag:Model:Chat:ContextSize"] = "2048",
        ["Rag:Index:Directory"] = Path.Combine(Path.GetTempPath(), "rag-llamasharp-sample"),
        ["Rag:Retrieval:TopK"] = "3",
    })
    .AddEnvironmentVariables()
    .AddCommandLine(args.Skip(2).ToArray())
    .Build();

var services = new ServiceCollection();
services.AddRag(configuration).AddLLamaSharp().AddIngestion();
await using var provider = services.BuildServiceProvider();

var pipeline = provider.GetRequiredService<IngestionPipeline>();
await foreach (var result in pipeline.IngestPathsAsync([folder]))
{
    Console.WriteLine($"{result.Status,-9} {result.DocumentId}");
}

var retriever = provider.GetRequiredService<IRetriever>();
var answerer = new RagAnswerer(provider.GetRequiredService<IChatClient>(), new AnswerOptions { MaxOutputTokens = 96 });
var sources = answerer.SelectSources((await retriever.RetrieveAsync(question)).Select(h => (h.Chunk, (float)h.Score)));
var answer = await answerer.AnswerAsync(question, sources);

Console.WriteLine($"\nQ: {question}\nA: {answer.Text}\n");
foreach (var s in sources)
{
    Console.WriteLine($"[{s.Number}] {s.Chunk.DocumentId} ({s.Score:F3})");
}
