namespace Rag.Host.Tests;

/// <summary><c>rag pal exec</c>: result and exit 0 for correct programs, error and non-zero for hostile ones, in process and isolated.</summary>
public sealed class PalCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rag-pal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Program(string name, string code)
    {
        var path = Path.Combine(_dir, name + ".js");
        File.WriteAllText(path, code);
        return path;
    }

    [Theory]
    [InlineData("in-process")]
    [InlineData("process")]
    public async Task A_correct_program_prints_its_result_and_exits_0(string isolation)
    {
        var file = Program("bagels", "function solution() {\n  const moneyInitial = 23;\n  return moneyInitial - 5 * 3;\n}\n");

        // A generous limit: the child process JITs Jint cold, which on a loaded 2-core machine can take seconds.
        var (code, output, err) = await CliTests.RunAsync("pal", "exec", "--file", file, "--isolation", isolation, "--timeout-ms", "20000");

        Assert.True(code == 0, err + output);
        Assert.Equal("result: 8", output.Trim());
    }

    [Theory]
    [InlineData("in-process", "loop", "function solution() { while (true) {} }", "1000", "error: ")]
    [InlineData("process", "loop", "function solution() { while (true) {} }", "1000", "error: ")]
    [InlineData("in-process", "bomb", "function solution() { const a = []; for (;;) a.push('x'.repeat(1 << 16) + a.length); }", "20000", "error: memory limit of 16 MiB exceeded")]
    [InlineData("process", "bomb", "function solution() { const a = []; for (;;) a.push('x'.repeat(1 << 16) + a.length); }", "20000", "error: memory limit of 16 MiB exceeded")]
    [InlineData("process", "clr", "function solution() { return importNamespace('System.IO').File.ReadAllText('/etc/passwd'); }", "5000", "error: ")]
    [InlineData("in-process", "require", "function solution() { return require('fs').readFileSync('/etc/passwd'); }", "5000", "error: ")]
    public async Task A_hostile_program_prints_an_error_and_exits_non_zero(string isolation, string name, string program, string timeoutMs, string expected)
    {
        var file = Program(name, program);

        var (code, output, _) = await CliTests.RunAsync("pal", "exec", "--file", file, "--timeout-ms", timeoutMs, "--memory-mb", "16", "--isolation", isolation);

        Assert.NotEqual(0, code);
        Assert.StartsWith(expected, output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("root:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_a_user_error()
    {
        var (code, output, err) = await CliTests.RunAsync("pal", "exec", "--file", Path.Combine(_dir, "nope.js"));

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith("rag: error: program file not found:", err, StringComparison.Ordinal);
    }
}
