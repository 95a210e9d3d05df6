using System.Globalization;
using Rag.Core.Answering;
using Rag.Core.Retrieval;

namespace Rag.Host.Answering;

/// <summary>Retrieves, streams the answer to the output, then lists the numbered sources and which ones the answer cited.</summary>
internal static class AnswerPrinter
{
    public static async Task<RagAnswer> AskAsync(RagSession session, string question, AnswerOptions options, TextWriter output, CancellationToken ct)
    {
        var hits = await session.Retriever.RetrieveAsync(question, options.MaxSources, ct).ConfigureAwait(false);
        var answerer = new RagAnswerer(session.Chat, options);
        var sources = answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));

        await output.WriteLineAsync($"Question: {question}").ConfigureAwait(false);
        await output.WriteLineAsync($"Model: {Path.GetFileName(session.ModelPath)} ({session.ModelPath})").ConfigureAwait(false);
        await output.WriteAsync("Answer: ").ConfigureAwait(false);
        var text = new System.Text.StringBuilder();
        await foreach (var delta in answerer.StreamAsync(question, sources, ct).ConfigureAwait(false))
        {
            text.Append(delta.Text);
            await output.WriteAsync(delta.Text).ConfigureAwait(false);
            await output.FlushAsync(ct).ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        var answerText = text.ToString().Trim();
        var cited = RagAnswerer.ExtractCitations(answerText, sources.Count);

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Sources:").ConfigureAwait(false);
        foreach (var (source, hit) in sources.Zip(hits))
        {
            var where = string.Join(" > ", source.Chunk.HeadingPath);
            var stages = string.Join(", ", new[]
            {
                hit.Bm25Rank is int b ? $"bm25 #{b}" : null,
                hit.VectorRank is int v ? $"vector #{v}" : null,
            }.Where(s => s is not null));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  [{source.Number}] {source.Chunk.Title ?? source.Chunk.DocumentId} — {source.Chunk.DocumentId}" +
                $"{(where.Length > 0 ? " § " + where : string.Empty)} (score {hit.Score:0.0000}; {stages})")).ConfigureAwait(false);
        }

        await output.WriteLineAsync(cited.Count > 0
            ? $"Cited in the answer: {string.Join(", ", cited.Select(n => $"[{n}]"))}"
            : "Cited in the answer: none (the model gave no [n] markers; the sources above are what it was shown)").ConfigureAwait(false);
        return new RagAnswer(question, answerText, sources, cited, Path.GetFileName(session.ModelPath));
    }
}
