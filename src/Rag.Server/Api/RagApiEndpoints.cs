using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Core.Retrieval;
using Rag.Core.Storage;
using Rag.Ingest.Loaders;
using Rag.Ingest.Pipeline;
using Rag.Server.Hosting;
using Rag.Server.Metrics;
using Rag.Server.OpenAi;
using Rag.Server.Security;
using Rag.Server.Worker;

namespace Rag.Server.Api;

/// <summary>The Rag endpoints: <c>/api/ingest</c>, <c>/api/documents</c>, <c>/api/search</c> and <c>/api/ask</c>.</summary>
internal static class RagApiEndpoints
{
    /// <summary>
    /// <c>POST /api/ingest</c>: a JSON body <c>{"documents": [{"id", "text", "title"}]}</c> (or one such document),
    /// <c>{"paths": [...]}</c> (absolute paths under <c>Rag:Server:AllowedRoots</c>), or a multipart upload of files.
    /// Waits for the result unless <c>?wait=false</c> (then 202). A full queue answers 429.
    /// </summary>
    public static async Task IngestAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        var options = services.GetRequiredService<IOptions<RagServerOptions>>().Value;
        IngestJob job;
        string? uploadDir = null;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct).ConfigureAwait(false);
            if (form.Files.Count == 0)
            {
                throw ChatRequestParser.Bad("The upload has no files.", "file");
            }

            var registry = services.GetRequiredService<DocumentLoaderRegistry>();
            uploadDir = Path.Combine(Path.GetTempPath(), "rag-uploads", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(uploadDir);
            var sources = new List<DocumentSource>();
            foreach (var file in form.Files)
            {
                var name = Path.GetFileName(file.FileName);
                if (string.IsNullOrWhiteSpace(name) || !registry.IsSupported(name))
                {
                    throw ChatRequestParser.Bad($"'{file.FileName}' has no supported extension ({string.Join(", ", registry.Extensions.Order(StringComparer.Ordinal))}).", "file");
                }

                var path = Path.Combine(uploadDir, name);
                var stream = File.Create(path);
                await using (stream.ConfigureAwait(false))
                {
                    await file.CopyToAsync(stream, ct).ConfigureAwait(false);
                }

                sources.Add(new DocumentSource(path, form["id"].Count == 1 && form.Files.Count == 1 ? form["id"].ToString() : name));
            }

            job = new IngestJob($"upload of {sources.Count} files", async (pipeline, jct) =>
            {
                var documents = new List<RagDocument>();
                var failures = new List<IngestResult>();
                foreach (var source in sources)
                {
                    await foreach (var loaded in registry.LoadAsync(source, jct).ConfigureAwait(false))
                    {
                        if (loaded.Document is { } d)
                        {
                            documents.Add(d);
                        }
                        else
                        {
                            failures.Add(new IngestResult(loaded.SourceId, IngestStatus.Failed, Error: loaded.Error));
                        }
                    }
                }

                var results = await IngestJob.CollectAsync(pipeline.IngestAsync(documents, null, jct), jct).ConfigureAwait(false);
                return [.. failures, .. results];
            });
        }
        else
        {
            using var doc = await HttpJson.ReadAsync(http.Request, ct).ConfigureAwait(false);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("paths", out var pathsElement))
            {
                if (pathsElement.ValueKind != JsonValueKind.Array || pathsElement.GetArrayLength() == 0)
                {
                    throw ChatRequestParser.Bad("'paths' must be a non-empty array of absolute paths.", "paths");
                }

                var paths = pathsElement.EnumerateArray()
                    .Select(p => PathPolicy.Confine(p.ValueKind == JsonValueKind.String ? p.GetString()! : "", options.AllowedRoots)).ToList();
                foreach (var p in paths)
                {
                    if (!File.Exists(p) && !Directory.Exists(p))
                    {
                        throw new ApiException(404, $"'{p}' does not exist.", "paths", "not_found");
                    }
                }

                var runRoot = options.ResolvedSourceRoot;
                job = new IngestJob($"ingest of {string.Join(", ", paths)}", (pipeline, jct) =>
                    IngestJob.CollectAsync(pipeline.IngestPathsAsync(paths, new IngestRunOptions { Root = runRoot, KeepMissing = true }, jct), jct));
            }
            else
            {
                var documents = ParseDocuments(root);
                job = new IngestJob($"ingest of {documents.Count} documents", (pipeline, jct) => IngestJob.CollectAsync(pipeline.IngestAsync(documents, null, jct), jct));
            }
        }

        var wait = !string.Equals(http.Request.Query["wait"], "false", StringComparison.OrdinalIgnoreCase);
        Enqueue(services, job, uploadDir);
        if (!wait)
        {
            await HttpJson.WriteAsync(http.Response, 202, j =>
            {
                j.WriteStartObject();
                j.WriteString("status", "queued");
                j.WriteString("job", job.Description);
                j.WriteEndObject();
            }, ct).ConfigureAwait(false);
            return;
        }

        var results = await job.Completion.Task.WaitAsync(ct).ConfigureAwait(false);
        await HttpJson.WriteAsync(http.Response, 200, j =>
        {
            j.WriteStartObject();
            WriteResults(j, results);
            j.WriteEndObject();
        }, ct).ConfigureAwait(false);
    }

    public static async Task ListDocumentsAsync(HttpContext http)
    {
        using var snapshot = http.RequestServices.GetRequiredService<IndexStore>().AcquireSnapshot();
        await HttpJson.WriteAsync(http.Response, 200, j =>
        {
            j.WriteStartObject();
            j.WriteNumber("generation", snapshot.Generation);
            j.WriteStartArray("documents");
            foreach (var d in snapshot.Documents.OrderBy(d => d.Id, StringComparer.Ordinal))
            {
                WriteDocument(j, d);
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }, http.RequestAborted).ConfigureAwait(false);
    }

    public static async Task GetDocumentAsync(HttpContext http, string id)
    {
        using var snapshot = http.RequestServices.GetRequiredService<IndexStore>().AcquireSnapshot();
        var d = snapshot.GetDocument(id) ?? throw new ApiException(404, $"No document '{id}'.", "id", "not_found");
        await HttpJson.WriteAsync(http.Response, 200, j => WriteDocument(j, d), http.RequestAborted).ConfigureAwait(false);
    }

    public static async Task DeleteDocumentAsync(HttpContext http, string id)
    {
        var job = new IngestJob($"delete of {id}", async (pipeline, ct) => await pipeline.DeleteAsync([id], ct).ConfigureAwait(false));
        Enqueue(http.RequestServices, job, null);
        var results = await job.Completion.Task.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        if (results.All(r => r.Status != IngestStatus.Deleted))
        {
            throw new ApiException(404, $"No document '{id}'.", "id", "not_found");
        }

        await HttpJson.WriteAsync(http.Response, 200, j =>
        {
            j.WriteStartObject();
            WriteResults(j, results);
            j.WriteEndObject();
        }, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary><c>POST /api/search</c> <c>{"query", "top_k", "mode": "hybrid|bm25|dense"}</c>.</summary>
    public static async Task SearchAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        using var doc = await HttpJson.ReadAsync(http.Request, ct).ConfigureAwait(false);
        var root = doc.RootElement;
        var query = ChatRequestParser.OptionalString(root, "query");
        if (string.IsNullOrWhiteSpace(query))
        {
            throw ChatRequestParser.Bad("'query' is required.", "query");
        }

        var topK = ChatRequestParser.OptionalInt(root, "top_k") ?? 10;
        if (topK is < 1 or > 1000)
        {
            throw ChatRequestParser.Bad("top_k must be between 1 and 1000.", "top_k");
        }

        RetrievalMode? mode = ChatRequestParser.OptionalString(root, "mode") is { } m
            ? Enum.TryParse<RetrievalMode>(m, ignoreCase: true, out var parsed) ? parsed : throw ChatRequestParser.Bad($"Unknown mode '{m}'.", "mode")
            : null;
        var started = Stopwatch.GetTimestamp();
        var hits = await services.GetRequiredService<IRetriever>().RetrieveAsync(query, new RetrievalRequestOptions { TopK = topK, Mode = mode }, ct).ConfigureAwait(false);
        services.GetRequiredService<ServerMetrics>().RetrievalDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        await HttpJson.WriteAsync(http.Response, 200, j =>
        {
            j.WriteStartObject();
            j.WriteStartArray("hits");
            var rank = 0;
            foreach (var h in hits)
            {
                j.WriteStartObject();
                j.WriteNumber("rank", ++rank);
                j.WriteString("chunk_id", h.Chunk.Id);
                j.WriteString("document_id", h.Chunk.DocumentId);
                HttpJson.WriteNullable(j, "title", h.Chunk.Title);
                HttpJson.WriteStrings(j, "section", h.Chunk.HeadingPath);
                j.WriteString("text", h.Chunk.Text);
                j.WriteNumber("score", h.Score);
                if (h.Bm25Score is { } b)
                {
                    j.WriteNumber("bm25_score", b);
                }

                if (h.VectorScore is { } v)
                {
                    j.WriteNumber("vector_score", v);
                }

                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /api/ask</c> <c>{"question", "top_k", "max_tokens", "model", "stream"}</c>: retrieves numbered sources,
    /// answers citing them as [n]. Streaming sends <c>sources</c>, then <c>delta</c> events, then <c>done</c> with the
    /// cited numbers, then <c>[DONE]</c>.
    /// </summary>
    public static async Task AskAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var ct = http.RequestAborted;
        Readiness.Require(services);
        using var doc = await HttpJson.ReadAsync(http.Request, ct).ConfigureAwait(false);
        var root = doc.RootElement;
        var question = ChatRequestParser.OptionalString(root, "question") ?? throw ChatRequestParser.Bad("'question' is required.", "question");
        var selection = services.GetRequiredService<ServedModels>().ResolveChat(ChatRequestParser.OptionalString(root, "model"));
        var answerOptions = services.GetRequiredService<IOptions<AnswerOptions>>().Value;
        var sources = await services.GetRequiredService<Grounding>().RetrieveAsync(question, ChatRequestParser.OptionalInt(root, "top_k"), ct).ConfigureAwait(false);
        var messages = services.GetRequiredService<RagAnswerer>().BuildMessages(question, sources);
        var chatOptions = new ChatOptions
        {
            MaxOutputTokens = ChatRequestParser.OptionalInt(root, "max_tokens") ?? answerOptions.MaxOutputTokens,
            Temperature = answerOptions.Temperature,
        };
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var text = new StringBuilder();
        if (!stream)
        {
            var response = await selection.Client.GetResponseAsync(messages, chatOptions, ct).ConfigureAwait(false);
            var answer = response.Text.Trim();
            await HttpJson.WriteAsync(http.Response, 200, j =>
            {
                j.WriteStartObject();
                j.WriteString("question", question);
                j.WriteString("answer", answer);
                j.WriteString("model", selection.Id);
                WriteNumbers(j, "citations", RagAnswerer.ExtractCitations(answer, sources.Count));
                Grounding.WriteCitations(j, "sources", sources, RagAnswerer.ExtractCitations(answer, sources.Count), includeText: true);
                j.WriteEndObject();
            }, ct).ConfigureAwait(false);
            return;
        }

        var updates = selection.Client.GetStreamingResponseAsync(messages, chatOptions, ct).GetAsyncEnumerator(ct);
        await using (updates.ConfigureAwait(false))
        {
            var has = await updates.MoveNextAsync().ConfigureAwait(false);
            HttpJson.StartEvents(http.Response);
            await HttpJson.WriteEventAsync(http.Response, j =>
            {
                j.WriteStartObject();
                j.WriteString("type", "sources");
                Grounding.WriteCitations(j, "sources", sources, null, includeText: true);
                j.WriteEndObject();
            }, ct).ConfigureAwait(false);
            while (has)
            {
                var delta = updates.Current.Text;
                if (delta.Length > 0)
                {
                    text.Append(delta);
                    await HttpJson.WriteEventAsync(http.Response, j =>
                    {
                        j.WriteStartObject();
                        j.WriteString("type", "delta");
                        j.WriteString("text", delta);
                        j.WriteEndObject();
                    }, ct).ConfigureAwait(false);
                }

                has = await updates.MoveNextAsync().ConfigureAwait(false);
            }

            await HttpJson.WriteEventAsync(http.Response, j =>
            {
                j.WriteStartObject();
                j.WriteString("type", "done");
                j.WriteString("answer", text.ToString().Trim());
                WriteNumbers(j, "citations", RagAnswerer.ExtractCitations(text.ToString(), sources.Count));
                j.WriteEndObject();
            }, ct).ConfigureAwait(false);
            await HttpJson.WriteDoneAsync(http.Response, ct).ConfigureAwait(false);
        }
    }

    private static void Enqueue(IServiceProvider services, IngestJob job, string? cleanup)
    {
        var queue = services.GetRequiredService<IngestionQueue>();
        if (cleanup is not null)
        {
            _ = job.Completion.Task.ContinueWith(_ =>
            {
                try
                {
                    Directory.Delete(cleanup, recursive: true);
                }
                catch (IOException)
                {
                }
            }, TaskScheduler.Default);
        }

        if (!queue.TryEnqueue(job))
        {
            if (queue.IsCompleted)
            {
                throw new ApiException(503, "The server is shutting down.", null, "shutting_down");
            }

            services.GetRequiredService<ServerMetrics>().Rejected.Add(1);
            throw new OverloadedException($"The ingestion queue is full ({queue.Capacity} jobs waiting). Retry later.");
        }
    }

    private static List<RagDocument> ParseDocuments(JsonElement root)
    {
        IEnumerable<JsonElement> items = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("documents", out var docs)
            ? docs.ValueKind == JsonValueKind.Array ? docs.EnumerateArray() : throw ChatRequestParser.Bad("'documents' must be an array.", "documents")
            : [root];
        var list = new List<RagDocument>();
        foreach (var d in items)
        {
            var id = ChatRequestParser.OptionalString(d, "id");
            var text = ChatRequestParser.OptionalString(d, "text");
            if (string.IsNullOrWhiteSpace(id) || text is null)
            {
                throw ChatRequestParser.Bad("Every document needs an 'id' and a 'text' (or send 'paths', or upload files).", "documents");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (d.TryGetProperty("metadata", out var md) && md.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in md.EnumerateObject())
                {
                    metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }

            list.Add(new RagDocument(id, text, ChatRequestParser.OptionalString(d, "title"), metadata));
        }

        return list.Count > 0 ? list : throw ChatRequestParser.Bad("No documents.", "documents");
    }

    private static void WriteResults(Utf8JsonWriter j, IReadOnlyList<IngestResult> results)
    {
        j.WriteStartArray("results");
        foreach (var r in results)
        {
            j.WriteStartObject();
            j.WriteString("document_id", r.DocumentId);
            j.WriteString("status", r.Status.ToString().ToLowerInvariant());
            j.WriteNumber("chunks", r.ChunkCount);
            j.WriteNumber("generation", r.Generation);
            if (r.Error is not null)
            {
                j.WriteString("error", r.Error);
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
    }

    private static void WriteDocument(Utf8JsonWriter j, DocumentRecord d)
    {
        j.WriteStartObject();
        j.WriteString("id", d.Id);
        j.WriteNumber("chunks", d.ChunkCount);
        j.WriteString("content_hash", d.ContentHash);
        HttpJson.WriteNullable(j, "source", d.Source);
        j.WriteEndObject();
    }

    private static void WriteNumbers(Utf8JsonWriter j, string name, IEnumerable<int> numbers)
    {
        j.WriteStartArray(name);
        foreach (var n in numbers)
        {
            j.WriteNumberValue(n);
        }

        j.WriteEndArray();
    }
}

/// <summary>A queue is full: answered 429 with <c>Retry-After</c>.</summary>
internal sealed class OverloadedException(string message) : Exception(message);
