using Rag.Model.Native;

namespace Rag.Model.Tests;

public class BackendTests
{
    [Fact]
    public void Backend_reports_loaded_cpu_variant_and_devices()
    {
        var info = LlamaBackend.EnsureInitialized();
        Assert.Contains(info.Devices, d => d.Type == LlamaDeviceType.Cpu);
        Assert.Contains(info.LoadedLibraries, p => Path.GetFileName(p) == LlamaBackend.LlamaFileName);
        // ggml_backend_load_all_from_path picks one CPU micro-architecture variant; it must show up as mapped.
        Assert.Contains(info.LoadedLibraries, p => Path.GetFileName(p).StartsWith("libggml-cpu", StringComparison.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(info.SystemInfo));
        Assert.NotNull(info.CudaStatus);
        if (!LlamaBackend.IsNvidiaDriverPresent())
        {
            Assert.DoesNotContain(info.Devices, d => d.Type == LlamaDeviceType.Gpu);
            Assert.Contains("no NVIDIA driver", info.CudaStatus);
        }
    }

    [Fact]
    public void Explicit_directory_without_libraries_is_not_accepted_and_is_reported()
    {
        var searched = new List<string>();
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            Assert.Null(LlamaBackend.ResolveNativeDirectory(dir, searched));
            Assert.Contains(searched, s => s.StartsWith(dir, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Default_search_finds_the_repository_native_dir()
    {
        var searched = new List<string>();
        var dir = LlamaBackend.ResolveNativeDirectory(null, searched);
        Assert.NotNull(dir);
        Assert.True(File.Exists(Path.Combine(dir!, LlamaBackend.LlamaFileName)));
    }

    [Fact]
    public void Missing_library_message_says_where_it_looked_and_how_to_fix()
    {
        var ex = LlamaBackend.CreateMissingException(["/nowhere/a", "/nowhere/b"]);
        Assert.Contains("/nowhere/a", ex.Message);
        Assert.Contains("/nowhere/b", ex.Message);
        Assert.Contains("./rag setup", ex.Message);
        Assert.Contains(LlamaBackendOptions.NativeDirEnvironmentVariable, ex.Message);
        Assert.Equal(2, ex.SearchedDirectories.Count);
    }
}
