using System.Diagnostics;
using Rag.Agents.Pal;

namespace Rag.Agents.Tests.Pal;

/// <summary>The in-process sandbox against hostile programs: each ends within its limits with an error, and the host stays healthy.</summary>
public class JintPalSandboxTests
{
    private static readonly PalSandboxOptions Limits = new() { TimeoutMs = 2000, MemoryMb = 32, MaxStatements = 5_000_000, MaxRecursion = 128 };

    static JintPalSandboxTests()
    {
        // JIT the interpreter once, so a cold start on a busy machine does not eat the first program's time limit.
        _ = new JintPalSandbox(new PalSandboxOptions { TimeoutMs = 60_000 }).ExecuteAsync("function solution() { return [1].map(x => x + 1)[0]; }").GetAwaiter().GetResult();
    }

    public static TheoryData<string, string, PalErrorKind> Hostile => new()
    {
        { "endless loop", "function solution() { while (true) {} }", PalErrorKind.Timeout },
        { "endless loop with work", "function solution() { let i = 0; for (;;) { i++; } }", PalErrorKind.Timeout },
        { "memory bomb", "function solution() { const a = []; while (true) { a.push('x'.repeat(100000) + a.length); } }", PalErrorKind.Memory },
        { "doubling string", "function solution() { let s = 'x'; while (true) { s = s + s; } }", PalErrorKind.Memory },
        { "deep recursion", "function f(n) { return f(n + 1) + 1; } function solution() { return f(0); }", PalErrorKind.Recursion },
        { "mutual recursion", "function a(n) { return b(n) } function b(n) { return a(n) } function solution() { return a(1); }", PalErrorKind.Recursion },
        { "CLR via importNamespace", "function solution() { var File = importNamespace('System.IO').File; return File.ReadAllText('/etc/passwd'); }", PalErrorKind.Runtime },
        { "CLR via System global", "function solution() { return System.IO.File.ReadAllText('/etc/passwd'); }", PalErrorKind.Runtime },
        { "require", "function solution() { const fs = require('fs'); return fs.readFileSync('/etc/passwd', 'utf8'); }", PalErrorKind.Runtime },
        { "dynamic import", "function solution() { return import('fs'); }", PalErrorKind.Runtime },
        { "process global", "function solution() { return process.env.HOME; }", PalErrorKind.Runtime },
        { "Function constructor escape", "function solution() { const g = Function('return this')(); return g.importNamespace('System').Environment.Exit(3); }", PalErrorKind.Runtime },
        { "constructor chain escape", "function solution() { const F = (function(){}).constructor.constructor; return F('return require')()('child_process'); }", PalErrorKind.Runtime },
        { "prototype getter trap", "function solution() { Object.defineProperty(Object.prototype, 'clr', { get() { return importNamespace; } }); return ({}).clr('System.IO'); }", PalErrorKind.Runtime },
        { "proto chain to host", "function solution() { return ({}).__proto__.constructor.constructor('return this')().host.GetType(); }", PalErrorKind.Runtime },
        { "catastrophic regex", "function solution() { return /^(a+)+$/.test('a'.repeat(40) + 'b'); }", PalErrorKind.Timeout },
        { "huge array", "function solution() { const a = new Array(100000000).fill(1); return a.length; }", PalErrorKind.Memory },
        { "statement flood via eval", "function solution() { let n = 0; while (true) { eval('n++'); } }", PalErrorKind.Timeout },
        { "deep nesting", "function solution() { return " + new string('(', 5000) + "1" + new string(')', 5000) + "; }", PalErrorKind.TooLarge },
        { "no solution", "var x = 1;", PalErrorKind.NoSolution },
        { "throws", "function solution() { throw new Error('boom'); }", PalErrorKind.Runtime },
        { "syntax error", "function solution() { return 1 +; }", PalErrorKind.Syntax },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Hostile_program_ends_within_its_limits_with_an_error(string name, string program, PalErrorKind expected)
    {
        var sandbox = new JintPalSandbox(Limits);
        var watch = Stopwatch.StartNew();

        var result = await sandbox.ExecuteAsync(program);

        Assert.False(result.Succeeded, $"{name}: {result}");
        Assert.StartsWith("error: ", result.ToString(), StringComparison.Ordinal);
        // Some hostile programs hit a different limit first on a busy machine (a loop may be stopped by time or statements).
        Assert.True(result.ErrorKind == expected || (expected == PalErrorKind.Runtime && result.ErrorKind == PalErrorKind.Syntax) || (expected is PalErrorKind.Timeout or PalErrorKind.Memory && result.ErrorKind is PalErrorKind.Timeout or PalErrorKind.Statements or PalErrorKind.Memory or PalErrorKind.Runtime),
            $"{name}: expected {expected}, got {result.ErrorKind} ({result.Error})");
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(Limits.TimeoutMs) + TimeSpan.FromSeconds(3), $"{name}: took {watch.Elapsed}");

        // The host is healthy: the next program runs normally.
        var after = await sandbox.ExecuteAsync("function solution() { return 6 * 7; }");
        Assert.Equal("42", after.Value);
    }

    [Fact]
    public async Task Statement_limit_stops_a_busy_loop()
    {
        var result = await new JintPalSandbox(new PalSandboxOptions { TimeoutMs = 60_000, MaxStatements = 1000 }).ExecuteAsync(
            "function solution() { let i = 0; while (true) { i++; } }");
        Assert.Equal(PalErrorKind.Statements, result.ErrorKind);
        Assert.Equal("statement limit of 1000 exceeded", result.Error);
    }

    [Fact]
    public async Task Prototype_pollution_does_not_leak_into_the_next_program()
    {
        var sandbox = new JintPalSandbox(Limits);
        var first = await sandbox.ExecuteAsync("function solution() { Array.prototype.map = function() { return 'pwned'; }; Object.prototype.answer = 13; return 1; }");
        var second = await sandbox.ExecuteAsync("function solution() { return [1, 2].map(x => x * 2).join(',') + ':' + ({}).answer; }");

        Assert.Equal("1", first.Value);
        Assert.Equal("2,4:undefined", second.Value);
    }

    [Theory]
    [InlineData("function solution() { const moneyInitial = 23; const bagels = 5; const bagelCost = 3; return moneyInitial - bagels * bagelCost; }", "8")]
    [InlineData("function solution() { return 0.1 + 0.2; }", "0.30000000000000004")]
    [InlineData("function solution() { return 7 / 2; }", "3.5")]
    [InlineData("function solution() { return 'forty-two'; }", "forty-two")]
    [InlineData("function solution() { return [1, 2, 3].reduce((a, b) => a + b, 0); }", "6")]
    [InlineData("function solution() { return { eggs: 9, dollars: 18 }; }", "{\"eggs\":9,\"dollars\":18}")]
    [InlineData("function solution() { return [1, 'a', null]; }", "[1,\"a\",null]")]
    [InlineData("function solution() { return true; }", "true")]
    [InlineData("function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); } function solution() { return fib(20); }", "6765")]
    [InlineData("function solution() { let s = 0; for (let i = 1; i <= 100000; i++) s += i; return s; }", "5000050000")]
    [InlineData("function solution() { return Math.round(16 - 3 - 4) * 2; }", "18")]
    [InlineData("const solution = () => 1e21;", "1e+21")]
    public async Task Correct_programs_return_their_values(string program, string expected)
    {
        var result = await new JintPalSandbox(Limits).ExecuteAsync(program);
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(expected, result.Value);
        Assert.Equal("result: " + expected, result.ToString());
    }

    [Theory]
    [InlineData("Here you go:\n```javascript\nfunction solution() {\n  return 4;\n}\n```\nDone.", "function solution() {\n  return 4;\n}")]
    [InlineData("```js\nfunction solution() { return 1; }\n```", "function solution() { return 1; }")]
    [InlineData("Sure. function solution() { return 2; }", "function solution() { return 2; }")]
    [InlineData("Once upon a time", "Once upon a time")]
    public void Programs_are_extracted_from_replies(string reply, string expected) =>
        Assert.Equal(expected, PalAgent.ExtractProgram(reply));
}
