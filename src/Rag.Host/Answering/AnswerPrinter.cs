using System.Globalization;
using Rag.Core.Answering;
using Rag.Core.Retrieval;

namespace Rag.Host.Answering;

/// <summary>
/// Retrieves, streams the answer to the output, then lists the numbered sources and which ones the answer cited. The
/// extractive answer (source sentences with citation and span) is printed instead of the generated one with
/// <c>--extractive</c>, and next to it when the chat model has no chat template (is not instruction-tuned).
/// </summary>
internal static class AnswerPrinter
{
    public static async Task<RagAnswer> AskAsync(RagSession session, string question, AnswerOptions options, TextWriter output, CancellationToken ct,
        bool extractiveOnly = false)
    {
        var hits = await session.Retriever.RetrieveAsync(question, options.MaxSources, ct).ConfigureAwait(false);
        var answerer = new RagAnswerer(session.Chat, options, tokenCounter: session.TokenCounter, embedder: session.SentenceEmbedder);
        var prompt = await answerer.PrepareAsync(question, hits.Select(h => (h.Chunk, (float)h.Score)), ct).ConfigureAwait(false);

        await output.WriteLineAsync($"Question: {question}").ConfigureAwait(false);
        RagAnswer answer;
        if (extractiveOnly)
        {
            answer = new RagAnswer(question, string.Empty, prompt.Sources, [], null) { IsNoAnswer = prompt.IsNoAnswer, PromptBudget = prompt.PromptBudget };
        }
        else
        {
            await output.WriteLineAsync($"Model: {Path.GetFileName(session.ModelPath)} ({session.ModelPath})").ConfigureAwait(false);
            await output.WriteAsync("Answer: ").ConfigureAwait(false);
            var text = new System.Text.StringBuilder();
            var dropped = new List<int>();
            await foreach (var delta in answerer.StreamAsync(prompt, ct).ConfigureAwait(false))
            {
                text.Append(delta.Text);
                dropped.AddRange(delta.DroppedCitations);
                await output.WriteAsync(delta.Text).ConfigureAwait(false);
                await output.FlushAsync(ct).ConfigureAwait(false);
            }

            await output.WriteLineAsync().ConfigureAwait(false);
            answer = answerer.Finish(prompt, text.ToString(), dropped);
            if (dropped.Count > 0)
            {
                await output.WriteLineAsync(
                    $"Dropped citations: {string.Join(", ", dropped.Select(n => $"[{n}]"))} (they name no source given to the model)").ConfigureAwait(false);
            }
        }

        if (!prompt.IsNoAnswer && (extractiveOnly || !session.HasChatTemplate))
        {
            var extractive = await new ExtractiveAnswerer(session.SentenceEmbedder, options).AnswerAsync(question, prompt.Sources, ct).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync(extractiveOnly
                ? "Extractive answer (source sentences ranked by MiniLM + BM25):"
                : "Extractive answer (the chat model has no chat template, so here are the source sentences that best answer the question):").ConfigureAwait(false);
            foreach (var s in extractive.Sentences)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {s.Text} [{s.SourceNumber}]  ({s.DocumentId} chars {s.DocumentStart}-{s.DocumentStart + s.Length}; score {s.Score:0.000})")).ConfigureAwait(false);
            }
        }
        else if (prompt.IsNoAnswer && extractiveOnly)
        {
            await output.WriteLineAsync($"Answer: {options.NoAnswerText}").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync("Sources:").ConfigureAwait(false);
        foreach (var source in prompt.Sources)
        {
            var hit = hits.First(h => h.Chunk.Id == source.Chunk.Id);
            var where = string.Join(" > ", source.Chunk.HeadingPath);
            var stages = string.Join(", ", new[]
            {
                hit.Bm25Rank is int b ? $"bm25 #{b}" : null,
                hit.VectorRank is int v ? $"vector #{v}" : null,
                source.Relevance is double r ? string.Create(CultureInfo.InvariantCulture, $"relevance {r:0.000}") : null,
            }.Where(s => s is not null));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  [{source.Number}] {source.Chunk.Title ?? source.Chunk.DocumentId} — {source.Chunk.DocumentId}" +
                $"{(where.Length > 0 ? " § " + where : string.Empty)} (score {hit.Score:0.0000}; {stages})")).ConfigureAwait(false);
        }

        if (prompt.OmittedChunks > 0)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  ({prompt.OmittedChunks} retrieved chunk(s) left out: below relevance {options.MinRelevance:0.00} or beyond the {prompt.PromptBudget}-token prompt budget)")).ConfigureAwait(false);
        }

        if (!extractiveOnly && !prompt.IsNoAnswer)
        {
            await output.WriteLineAsync(answer.CitedNumbers.Count > 0
                ? $"Cited in the answer: {string.Join(", ", answer.CitedNumbers.Select(n => $"[{n}]"))}"
                : "Cited in the answer: none (the model gave no [n] markers; the sources above are what it was shown)").ConfigureAwait(false);
        }

        return answer;
    }
}
