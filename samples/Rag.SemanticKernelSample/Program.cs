// Rag inside Semantic Kernel: a Kernel over Rag's chat model and embedder, RagPlugin's `search` and `ask`, a prompt
// function grounded by `rag.search`, and the standard Microsoft.Extensions.VectorData calls on the same index.
//
//   dotnet run --project samples/Rag.SemanticKernelSample -- [FOLDER] [QUESTION] [--Rag:Section:Key=Value ...]
//
// Settings as in samples/Rag.SdkSample. The default chat model (stories260K) is tiny: its answers are stories, while
// the retrieval, the plugin calls and the vector-store results are real.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.VectorData;
using Microsoft.SemanticKernel;
using Rag.Ingest.Pipeline;
using Rag.Samples;
using Rag.SemanticKernel.VectorData;

var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var folder = positional.Length > 0 ? positional[0] : Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "data");
var question = positional.Length > 1 ? positional[1] : "How do I install Rag?";

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rag:Index:Directory"] = Path.Combine(Path.GetTempPath(), "rag-sk-sample"),
        ["Rag:Model:Embedding:Threads"] = "1",
        ["Rag:Retrieval:TopK"] = "3",
        ["Rag:Answer:MaxOutputTokens"] = "64",
    })
    .AddEnvironmentVariables()
    .AddCommandLine(args.Skip(positional.Length).ToArray())
    .Build();

var services = new ServiceCollection();
services.AddRag(configuration).AddOnnxEmbeddings().AddIngestion().AddAnswerer().AddChatModel().AddSemanticKernel();
await using var provider = services.BuildServiceProvider();
await foreach (var _ in provider.GetRequiredService<IngestionPipeline>().IngestPathsAsync([folder]))
{
}

var kernel = provider.GetRequiredService<Kernel>();

// 1. The plugin, invoked through the kernel (filters and telemetry apply as to any kernel function).
Console.WriteLine("== rag.search");
Console.WriteLine(await kernel.InvokeAsync<string>("rag", "search", new() { ["query"] = question, ["top"] = 3 }));
Console.WriteLine("\n== rag.ask");
Console.WriteLine(await kernel.InvokeAsync<string>("rag", "ask", new() { ["question"] = question }));

// 2. A prompt function whose template calls the plugin for its context.
var grounded = kernel.CreateFunctionFromPrompt(
    "Answer from the context.\nContext:\n{{rag.search query=$question top='2'}}\nQuestion: {{$question}}\nAnswer:",
    new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["temperature"] = 0, ["max_tokens"] = 64 } });
Console.WriteLine("\n== prompt function grounded by rag.search");
Console.WriteLine(await kernel.InvokeAsync<string>(grounded, new() { ["question"] = question }));

// 3. The same index through Microsoft.Extensions.VectorData.
var collection = provider.GetRequiredService<RagVectorStoreCollection>();
await collection.UpsertAsync(new RagVectorRecord { Key = "note-1", Title = "A note", Text = "Rag keeps its index in one folder per store." });
Console.WriteLine($"\n== VectorData: get note-1 -> {(await collection.GetAsync("note-1"))?.Text}");
Console.WriteLine("== VectorData: hybrid search");
await foreach (var r in ((IKeywordHybridSearchable<RagVectorRecord>)collection).HybridSearchAsync(question, ["install"], top: 3))
{
    Console.WriteLine($"{r.Score:F4} {r.Record.Key} {r.Record.Section}");
}

await collection.DeleteAsync("note-1");
