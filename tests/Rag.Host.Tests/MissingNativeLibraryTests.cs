using System.Diagnostics;

namespace Rag.Host.Tests;

public class MissingNativeLibraryTests
{
    [Fact]
    public async Task Missing_llama_library_is_one_clear_error_naming_the_place_and_the_fix()
    {
        var empty = Directory.CreateTempSubdirectory("rag-no-native-");
        try
        {
            var model = Rag.Core.Configuration.RagPaths.ResolveModel(null, null, "stories260K-llama-f32.gguf");
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "rag.dll"), "generate", "--model", model, "--prompt", "Once", "--max-tokens", "4" },
            };
            psi.Environment["RAG_LLAMA_NATIVE_DIR"] = empty.FullName;
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.NotEqual(0, process.ExitCode);
            Assert.Equal(string.Empty, await stdout);
            Assert.Contains(empty.FullName, stderr, StringComparison.Ordinal);
            Assert.Contains("libllama", stderr, StringComparison.Ordinal);
            Assert.Contains("./rag", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete();
        }
    }
}
