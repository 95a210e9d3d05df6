using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rag.Core.Answering;
using Rag.Core.Retrieval;
using Rag.Server.Metrics;

namespace Rag.Server.Hosting;

/// <summary>Retrieves numbered sources for a question and writes them as JSON citations.</summary>
internal sealed class Grounding(IRetriever retriever, IOptions<AnswerOptions> answerOptions, ServerMetrics metrics)
{
    public async Task<IReadOnlyList<AnswerSource>> RetrieveAsync(string question, int? topK, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(question))
        {
            throw new ApiException(400, "The question is empty.", "question", "invalid_request_error");
        }

        var k = topK ?? answerOptions.Value.MaxSources;
        if (k is < 1 or > 100)
        {
            throw new ApiException(400, "top_k must be between 1 and 100.", "top_k", "invalid_request_error");
        }

        var started = Stopwatch.GetTimestamp();
        var hits = await retriever.RetrieveAsync(question, new RetrievalRequestOptions { TopK = k }, cancellationToken).ConfigureAwait(false);
        metrics.RetrievalDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        return hits.Select((h, i) => new AnswerSource(i + 1, h.Chunk, (float)h.Score)).ToList();
    }

    /// <summary>Writes <c>"citations": [...]</c>: every source with its number, ids, section and whether the text cites it.</summary>
    public static void WriteCitations(Utf8JsonWriter j, string name, IReadOnlyList<AnswerSource> sources, IReadOnlyList<int>? cited, bool includeText = false)
    {
        j.WriteStartArray(name);
        foreach (var s in sources)
        {
            j.WriteStartObject();
            j.WriteNumber("number", s.Number);
            j.WriteString("document_id", s.Chunk.DocumentId);
            j.WriteString("chunk_id", s.Chunk.Id);
            HttpJson.WriteNullable(j, "title", s.Chunk.Title);
            HttpJson.WriteStrings(j, "section", s.Chunk.HeadingPath);
            j.WriteNumber("score", s.Score);
            if (cited is not null)
            {
                j.WriteBoolean("cited", cited.Contains(s.Number));
            }

            if (includeText)
            {
                j.WriteString("text", s.Chunk.Text);
            }

            j.WriteEndObject();
        }

        j.WriteEndArray();
    }
}
