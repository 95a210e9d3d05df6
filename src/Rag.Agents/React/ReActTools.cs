using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Rag.Agents.Pal;
using Rag.Agents.React.Internal;
using Rag.Core.Retrieval;

namespace Rag.Agents.React;

/// <summary>The built-in ReAct tools: <c>search</c> (hybrid retrieval), <c>calculator</c> and <c>pal</c>.</summary>
public static class ReActTools
{
    /// <summary><c>search[query]</c>: the best <paramref name="topK"/> chunks from <paramref name="retriever"/>, numbered, each cut to 200 characters.</summary>
    public static AIFunction Search(IRetriever retriever, int topK = 3)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        return AIFunctionFactory.Create(
            async ([Description("What to search for.")] string query, CancellationToken cancellationToken) =>
            {
                var hits = await retriever.RetrieveAsync(query, topK, cancellationToken).ConfigureAwait(false);
                if (hits.Count == 0)
                {
                    return "no results";
                }

                var sb = new StringBuilder();
                foreach (var (hit, i) in hits.Select((h, i) => (h, i + 1)))
                {
                    var text = hit.Chunk.Text.ReplaceLineEndings(" ");
                    sb.Append(CultureInfo.InvariantCulture, $"[{i}] {(text.Length > 200 ? text[..200] + " …" : text)} ");
                }

                return sb.ToString().TrimEnd();
            },
            "search",
            "Search the documents; the input is a search query.");
    }

    /// <summary><c>calculator[expression]</c>: arithmetic with + - * / % ^ and parentheses; no code is run.</summary>
    public static AIFunction Calculator() =>
        AIFunctionFactory.Create(
            ([Description("An arithmetic expression, such as (16 - 3 - 4) * 2.")] string expression) =>
                ArithmeticEvaluator.Evaluate(expression).ToString("R", CultureInfo.InvariantCulture),
            "calculator",
            "Compute an arithmetic expression; the input is the expression.");

    /// <summary><c>pal[question]</c>: has the model write a JavaScript program for the question and runs it in the sandbox.</summary>
    public static AIFunction Pal(PalAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return AIFunctionFactory.Create(
            async ([Description("A math word problem.")] string question, CancellationToken cancellationToken) =>
            {
                var answer = await agent.SolveAsync(question, cancellationToken).ConfigureAwait(false);
                return answer.Succeeded ? answer.Answer! : "error: " + answer.Attempts[^1].Result.Error;
            },
            "pal",
            "Solve a math word problem by writing and running a program; the input is the problem.");
    }
}
