using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.SemanticKernel;
using Rag.Core.Answering;
using Rag.Core.Documents;
using Rag.Core.Retrieval;

namespace Rag.SemanticKernel.Plugins;

/// <summary>
/// Rag as a Semantic Kernel plugin: <c>search</c> returns the best passages of the index with their sources, and
/// <c>ask</c> answers a question from them, citing sources as <c>[n]</c>. Add it to a kernel with
/// <c>KernelPluginFactory.CreateFromObject(plugin, "rag")</c>, or let <c>AddSemanticKernel</c> do it.
/// </summary>
public sealed class RagPlugin
{
    private readonly IRetriever _retriever;
    private readonly RagAnswerer _answerer;

    /// <summary>Creates the plugin over a retriever (the sources) and an answerer (the chat model).</summary>
    public RagPlugin(IRetriever retriever, RagAnswerer answerer)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentNullException.ThrowIfNull(answerer);
        _retriever = retriever;
        _answerer = answerer;
    }

    /// <summary>Searches the index and formats the best passages, one per line: number, title, section, document and text.</summary>
    /// <param name="query">What to search for.</param>
    /// <param name="top">How many passages to return.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    [KernelFunction("search")]
    [Description("Searches the indexed documents and returns the best passages, each with its source.")]
    public async Task<string> SearchAsync(
        [Description("What to search for")] string query,
        [Description("How many passages to return")] int top = 5,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var hits = await _retriever.RetrieveAsync(query, top, cancellationToken).ConfigureAwait(false);
        if (hits.Count == 0)
        {
            return "No passage matches.";
        }

        var sb = new StringBuilder();
        for (int i = 0; i < hits.Count; i++)
        {
            AppendSource(sb, i + 1, hits[i].Chunk).Append(": ").AppendLine(Flatten(hits[i].Chunk.Text));
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Answers <paramref name="question"/> from the best passages; the answer is followed by its numbered sources.</summary>
    /// <param name="question">The question.</param>
    /// <param name="cancellationToken">Cancels retrieval and generation.</param>
    [KernelFunction("ask")]
    [Description("Answers a question from the indexed documents, citing its sources as [n].")]
    public async Task<string> AskAsync([Description("The question to answer")] string question, CancellationToken cancellationToken = default)
    {
        var answer = await AnswerAsync(question, cancellationToken).ConfigureAwait(false);
        var sb = new StringBuilder(answer.Text.Length + 256).AppendLine(answer.Text);
        if (answer.Sources.Count > 0)
        {
            sb.AppendLine().AppendLine("Sources:");
            foreach (var s in answer.Sources)
            {
                AppendSource(sb, s.Number, s.Chunk).AppendLine();
            }
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Retrieves sources for <paramref name="question"/> and answers it: the typed form of <c>ask</c>.</summary>
    public async Task<RagAnswer> AnswerAsync(string question, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(question);
        var hits = await _retriever.RetrieveAsync(question, cancellationToken: cancellationToken).ConfigureAwait(false);
        var sources = _answerer.SelectSources(hits.Select(h => (h.Chunk, (float)h.Score)));
        return await _answerer.AnswerAsync(question, sources, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The section a chunk starts in, as <c>Heading &gt; Subheading</c>; empty when the document has no headings.</summary>
    public static string Section(Chunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return string.Join(" > ", chunk.HeadingPath);
    }

    private static StringBuilder AppendSource(StringBuilder sb, int number, Chunk chunk)
    {
        sb.Append('[').Append(number.ToString(CultureInfo.InvariantCulture)).Append("] ").Append(chunk.Title ?? chunk.DocumentId);
        var headings = chunk.HeadingPath.Count > 0 && chunk.HeadingPath[0] == chunk.Title ? chunk.HeadingPath.Skip(1) : chunk.HeadingPath;
        var section = string.Join(" > ", headings);
        if (section.Length > 0)
        {
            sb.Append(" > ").Append(section);
        }

        return sb.Append(" (").Append(chunk.DocumentId).Append(')');
    }

    private static string Flatten(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
