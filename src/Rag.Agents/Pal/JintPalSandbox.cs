using System.Diagnostics;
using System.Globalization;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rag.Agents.Pal;

/// <summary>
/// Runs PAL programs in the Jint interpreter, in this process. A fresh engine per program, with no CLR access
/// (<c>AllowClr</c> is never called, so there is no <c>importNamespace</c> and no host object), no modules
/// (<c>require</c> and <c>import</c> do not exist) and no I/O; limits on wall-clock time, allocated memory, statements,
/// recursion depth, array size and regex time. The program text is checked for length and bracket nesting before it is
/// parsed, since the parser recurses. The run happens on its own thread with a large stack; if a single native
/// operation outlives the deadline, the call still returns at the deadline (and Jint stops at its next check). For a
/// hard kill use <see cref="ProcessPalSandbox"/>.
/// </summary>
public sealed class JintPalSandbox : IPalSandbox
{
    private const int StackBytes = 64 * 1024 * 1024;
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(500);
    private readonly PalSandboxOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the sandbox.</summary>
    public JintPalSandbox(PalSandboxOptions? options = null, ILogger<JintPalSandbox>? logger = null)
    {
        _options = options ?? new PalSandboxOptions();
        _options.Validate();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The limits in use.</summary>
    public PalSandboxOptions Options => _options;

    /// <inheritdoc />
    public Task<PalExecutionResult> ExecuteAsync(string program, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        var watch = Stopwatch.StartNew();
        if (CheckSize(program) is { } tooLarge)
        {
            return Task.FromResult(PalExecutionResult.Failure(PalErrorKind.TooLarge, tooLarge, watch.Elapsed));
        }

        var done = new TaskCompletionSource<PalExecutionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var thread = new Thread(() =>
        {
            try
            {
                done.TrySetResult(Run(program, stop.Token, watch));
            }
#pragma warning disable CA1031 // the sandbox reports every failure of the program as a result
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetResult(PalExecutionResult.Failure(PalErrorKind.Runtime, Describe(ex), watch.Elapsed));
            }
        }, StackBytes)
        {
            IsBackground = true,
            Name = "pal-sandbox",
        };
        thread.Start();
        return WaitAsync(done.Task, stop, watch, cancellationToken);
    }

    private async Task<PalExecutionResult> WaitAsync(Task<PalExecutionResult> run, CancellationTokenSource stop, Stopwatch watch, CancellationToken cancellationToken)
    {
        using (stop)
        {
            var deadline = Task.Delay(TimeSpan.FromMilliseconds(_options.TimeoutMs) + Grace, cancellationToken);
            var first = await Task.WhenAny(run, deadline).ConfigureAwait(false);
            if (first == run)
            {
                return await run.ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            _logger.LogWarning("A PAL program ran past its deadline inside one native operation; the interpreter stops at its next check");
            return PalExecutionResult.Failure(PalErrorKind.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"time limit of {_options.TimeoutMs} ms exceeded"), watch.Elapsed);
        }
    }

    private PalExecutionResult Run(string program, CancellationToken cancellationToken, Stopwatch watch)
    {
        var engine = new Engine(o => o
            .LimitMemory((long)_options.MemoryMb * 1024 * 1024)
            .TimeoutInterval(TimeSpan.FromMilliseconds(_options.TimeoutMs))
            .MaxStatements(_options.MaxStatements)
            .LimitRecursion(_options.MaxRecursion)
            .MaxArraySize((uint)_options.MaxArraySize)
            .RegexTimeoutInterval(TimeSpan.FromMilliseconds(_options.TimeoutMs))
            .CancellationToken(cancellationToken));
        try
        {
            Engine.PrepareScript(program);
        }
#pragma warning disable CA1031 // any parser failure is a syntax error of the program
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return PalExecutionResult.Failure(PalErrorKind.Syntax, "syntax error: " + OneLine(ex.Message), watch.Elapsed);
        }

        try
        {
            engine.Execute(program);
            // Evaluate, not GetValue: `const solution = () => ...` is a lexical binding, not a global-object property.
            var solution = engine.Evaluate("typeof solution === 'function' ? solution : undefined");
            if (solution is not Jint.Native.Function.Function)
            {
                return PalExecutionResult.Failure(PalErrorKind.NoSolution, "the program defines no function solution()", watch.Elapsed);
            }

            var value = engine.Invoke(solution);
            if (value.IsUndefined())
            {
                return PalExecutionResult.Failure(PalErrorKind.NoSolution, "solution() returned undefined", watch.Elapsed);
            }

            var text = value.IsObject() && !value.IsDate() && value is not Jint.Native.Function.Function
                ? new Jint.Native.Json.JsonSerializer(engine).Serialize(value, JsValue.Undefined, JsValue.Undefined).ToString()
                : TypeConverter.ToString(value);
            return PalExecutionResult.Success(text, watch.Elapsed);
        }
        catch (JavaScriptException ex) when (ex.Error is JsObject error && error.Get("name").ToString() == "SyntaxError")
        {
            return PalExecutionResult.Failure(PalErrorKind.Syntax, "syntax error: " + OneLine(ex.Message), watch.Elapsed);
        }
        catch (JavaScriptException ex)
        {
            return PalExecutionResult.Failure(PalErrorKind.Runtime, OneLine(ex.Message), watch.Elapsed);
        }
        catch (StatementsCountOverflowException)
        {
            return PalExecutionResult.Failure(PalErrorKind.Statements,
                string.Create(CultureInfo.InvariantCulture, $"statement limit of {_options.MaxStatements} exceeded"), watch.Elapsed);
        }
        catch (MemoryLimitExceededException)
        {
            return PalExecutionResult.Failure(PalErrorKind.Memory,
                string.Create(CultureInfo.InvariantCulture, $"memory limit of {_options.MemoryMb} MiB exceeded"), watch.Elapsed);
        }
        catch (RecursionDepthOverflowException)
        {
            return PalExecutionResult.Failure(PalErrorKind.Recursion,
                string.Create(CultureInfo.InvariantCulture, $"recursion limit of {_options.MaxRecursion} calls exceeded"), watch.Elapsed);
        }
        catch (Exception ex) when (ex is TimeoutException or ExecutionCanceledException or OperationCanceledException)
        {
            return PalExecutionResult.Failure(PalErrorKind.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"time limit of {_options.TimeoutMs} ms exceeded"), watch.Elapsed);
        }
        catch (OutOfMemoryException)
        {
            return PalExecutionResult.Failure(PalErrorKind.Memory, "out of memory in one allocation", watch.Elapsed);
        }
        catch (Exception ex) when (ex.GetType().Name.Contains("Parse", StringComparison.Ordinal) || ex.GetType().Name.Contains("Syntax", StringComparison.Ordinal))
        {
            return PalExecutionResult.Failure(PalErrorKind.Syntax, "syntax error: " + OneLine(ex.Message), watch.Elapsed);
        }
    }

    private string? CheckSize(string program)
    {
        if (program.Length > _options.MaxProgramLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"program is {program.Length} characters, over the limit of {_options.MaxProgramLength}");
        }

        int depth = 0, max = 0;
        foreach (var c in program)
        {
            if (c is '(' or '[' or '{')
            {
                max = Math.Max(max, ++depth);
            }
            else if (c is ')' or ']' or '}')
            {
                depth--;
            }
        }

        return max > _options.MaxNesting
            ? string.Create(CultureInfo.InvariantCulture, $"program nests brackets {max} deep, over the limit of {_options.MaxNesting}")
            : null;
    }

    private static string Describe(Exception ex) => ex.GetType().Name + ": " + OneLine(ex.Message);

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
