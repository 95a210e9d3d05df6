using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Native.Interop;
using Rag.Model.Native.Internal;

namespace Rag.Model.Native;

/// <summary>
/// Process-wide bootstrap of llama.cpp: finds the native directory, maps the binding's library names onto the files in
/// it, loads the ggml backends (the best CPU micro-architecture variant, plus CUDA when an NVIDIA driver is present),
/// calls <c>llama_backend_init</c> once and routes llama.cpp's log to an <see cref="ILogger"/>.
/// It holds no lock around inference; it only serialises the one-time initialisation.
/// </summary>
public static class LlamaBackend
{
    /// <summary>File name of libllama in the pinned build.</summary>
    public const string LlamaFileName = "libllama.v0.5.0.so";

    /// <summary>File name of libggml in the pinned build.</summary>
    public const string GgmlFileName = "libggml.v0.5.0.so";

    /// <summary>File name of libggml-base in the pinned build.</summary>
    public const string GgmlBaseFileName = "libggml-base.so";

    /// <summary>Relative directory searched upward for the CPU libraries.</summary>
    public const string DefaultRelativeDir = ".native/llama/linux-x64";

    /// <summary>Relative directory searched for the CUDA backend.</summary>
    public const string DefaultCudaRelativeDir = ".native/llama/linux-x64-cuda";

    // Symbols that must exist for the struct layouts in Interop/ to be right: the newest members of this release
    // (n_rs_seq, load modes, backend samplers) are a cheap fingerprint of the header version.
    private static readonly string[] RequiredSymbols =
    [
        "llama_model_default_params", "llama_context_default_params", "llama_sampler_chain_default_params",
        "llama_model_quantize_default_params", "llama_model_load_from_file", "llama_init_from_model", "llama_decode",
        "llama_sampler_sample", "llama_sampler_init_grammar", "llama_chat_apply_template", "llama_model_quantize",
        "llama_n_rs_seq", "llama_load_mode_name", "llama_set_sampler", "llama_adapter_lora_init", "llama_set_adapters_lora",
        "llama_memory_seq_rm", "llama_get_embeddings_seq",
    ];

    private static readonly object InitLock = new();
    private static LlamaBackendInfo? s_info;
    private static LlamaBackendOptions? s_options;
    private static string? s_nativeDir;
    private static IntPtr s_llama, s_ggml, s_ggmlBase;
    private static bool s_resolverRegistered;

    /// <summary>The result of initialisation, or null before it ran.</summary>
    public static LlamaBackendInfo? Info => s_info;

    /// <summary>
    /// Initialises the backend once per process (it is a process-wide singleton). A later call without options, or with
    /// options that load the same libraries (<see cref="LlamaBackendOptions.NativeLibraryPath"/>,
    /// <see cref="LlamaBackendOptions.CudaLibraryPath"/>, <see cref="LlamaBackendOptions.EnableGpu"/>), returns the first
    /// result; only the log forwarding (<see cref="LlamaBackendOptions.NativeLogLevel"/> and the logger) may change.
    /// </summary>
    /// <exception cref="LlamaNativeLibraryException">The libraries are missing, unloadable or of another version.</exception>
    /// <exception cref="InvalidOperationException">The backend is already initialised with other libraries.</exception>
    public static LlamaBackendInfo Initialize(LlamaBackendOptions? options = null, ILogger? logger = null)
    {
        var info = s_info;
        if (info is not null)
        {
            return Reuse(info, options, logger);
        }

        lock (InitLock)
        {
            if (s_info is not null)
            {
                return Reuse(s_info, options, logger);
            }

            options ??= new LlamaBackendOptions();
            s_options = new LlamaBackendOptions
            {
                NativeLibraryPath = options.NativeLibraryPath,
                CudaLibraryPath = options.CudaLibraryPath,
                EnableGpu = options.EnableGpu,
                NativeLogLevel = options.NativeLogLevel,
            };
            logger ??= NullLogger.Instance;
            LlamaLog.Configure(logger, options.NativeLogLevel);

            var searched = new List<string>();
            var dir = ResolveNativeDirectory(options.NativeLibraryPath, searched)
                ?? throw CreateMissingException(searched);
            ThrowIfAnotherStackIsLoaded(dir, searched);
            s_nativeDir = dir;
            LoadCoreLibraries(dir, searched);
            RegisterResolver();

            LlamaLog.Install();
            GgmlNative.ggml_backend_load_all_from_path(dir);

            string? cudaStatus = null;
            if (options.EnableGpu)
            {
                cudaStatus = TryLoadCuda(CudaDirectory(options, dir), logger);
            }

            LlamaNative.llama_backend_init();

            var devices = EnumerateDevices();
            var loaded = LoadedNativeFiles(dir);
            var systemInfo = Marshal.PtrToStringUTF8(LlamaNative.llama_print_system_info()) ?? string.Empty;
            info = new LlamaBackendInfo(dir, loaded, devices, systemInfo, cudaStatus);

            logger.LogInformation("llama.cpp native directory: {Dir}", dir);
            logger.LogInformation("llama.cpp libraries loaded: {Files}", string.Join(", ", loaded.Select(Path.GetFileName)));
            foreach (var d in devices)
            {
                logger.LogInformation("ggml device: {Name} ({Type}) {Description}", d.Name, d.Type, d.Description);
            }

            if (cudaStatus is not null)
            {
                logger.LogInformation("CUDA: {Status}", cudaStatus);
            }

            s_info = info;
            return info;
        }
    }

    private static LlamaBackendInfo Reuse(LlamaBackendInfo info, LlamaBackendOptions? options, ILogger? logger)
    {
        if (options is null)
        {
            return info;
        }

        var first = s_options!;
        var searched = new List<string>();
        var dir = ResolveNativeDirectory(options.NativeLibraryPath, searched);
        static string? Full(string? path) => path is null ? null : Path.GetFullPath(path).TrimEnd('/');
        if (Full(dir) != Full(s_nativeDir) || Full(CudaDirectory(options, s_nativeDir!)) != Full(CudaDirectory(first, s_nativeDir!))
            || first.EnableGpu != options.EnableGpu)
        {
            throw new InvalidOperationException(
                "the llama.cpp backend is already initialised in this process with other settings " +
                $"(native libraries {s_nativeDir}, CudaLibraryPath={first.CudaLibraryPath ?? "default"}, EnableGpu={first.EnableGpu}); " +
                $"this call asks for {dir ?? options.NativeLibraryPath ?? "no library found"}, CudaLibraryPath={options.CudaLibraryPath ?? "default"}, " +
                $"EnableGpu={options.EnableGpu}. The native libraries load once per process: configure Rag:Model:Native in one place.");
        }

        if (logger is not null || options.NativeLogLevel != first.NativeLogLevel)
        {
            LlamaLog.Configure(logger ?? LlamaLog.Logger, options.NativeLogLevel);
            first.NativeLogLevel = options.NativeLogLevel;
        }

        return info;
    }

    private static string CudaDirectory(LlamaBackendOptions options, string nativeDir) =>
        options.CudaLibraryPath ?? Path.Combine(Path.GetDirectoryName(nativeDir.TrimEnd('/'))!, "linux-x64-cuda");

    /// <summary>Initialises with defaults if nothing did so yet; every entry point of the library calls this first.</summary>
    public static LlamaBackendInfo EnsureInitialized() => s_info ?? Initialize();

    /// <summary>
    /// Finds the native directory: explicit path, then <c>RAG_LLAMA_NATIVE_DIR</c>, then <c>.native/llama/linux-x64</c>
    /// searched upward from <see cref="AppContext.BaseDirectory"/> and the current directory.
    /// </summary>
    /// <param name="explicitPath">Directory given in options, or null.</param>
    /// <param name="searched">Receives every directory that was looked at.</param>
    /// <returns>The directory containing libllama, or null.</returns>
    public static string? ResolveNativeDirectory(string? explicitPath, IList<string> searched)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath);
            searched.Add(full + " (explicit option)");
            return File.Exists(Path.Combine(full, LlamaFileName)) ? full : null;
        }

        var env = Environment.GetEnvironmentVariable(LlamaBackendOptions.NativeDirEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            var full = Path.GetFullPath(env);
            searched.Add(full + " ($" + LlamaBackendOptions.NativeDirEnvironmentVariable + ")");
            return File.Exists(Path.Combine(full, LlamaFileName)) ? full : null;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, DefaultRelativeDir);
                searched.Add(candidate);
                if (File.Exists(Path.Combine(candidate, LlamaFileName)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>True when an NVIDIA kernel driver is present (its proc file exists, or libcuda.so.1 can be loaded).</summary>
    public static bool IsNvidiaDriverPresent()
    {
        if (File.Exists("/proc/driver/nvidia/version"))
        {
            return true;
        }

        if (NativeLibrary.TryLoad("libcuda.so.1", out var h))
        {
            NativeLibrary.Free(h);
            return true;
        }

        return false;
    }

    internal static LlamaNativeLibraryException CreateMissingException(IReadOnlyList<string> searched) =>
        new(MissingMessage(searched), searched);

    private static string MissingMessage(IEnumerable<string> searched) =>
        $"llama.cpp native libraries ({LlamaFileName}) were not found. Looked in:\n  " + string.Join("\n  ", searched) +
        $"\nFix: run `./rag setup` (it installs them under {DefaultRelativeDir}), or set " +
        $"{LlamaBackendOptions.NativeDirEnvironmentVariable} (or Rag:Model:NativeLibraryPath) to a directory holding " +
        $"{LlamaFileName}, {GgmlFileName}, {GgmlBaseFileName} and libggml-cpu-*.so from @node-llama-cpp/linux-x64@3.22.1.";

    // Another llama.cpp/ggml build already in the process (LLamaSharp's, typically) would answer our libraries' lookups
    // of libggml-base.so by soname, and the process dies at the first missing symbol (measured: "symbol lookup error:
    // libllama.v0.5.0.so: undefined symbol: ggml_flash_attn_ext_set_n_kv_max"). Refuse before loading anything.
    private static void ThrowIfAnotherStackIsLoaded(string dir, List<string> searched)
    {
        var ours = Path.GetFullPath(dir).TrimEnd('/');
        var foreign = MappedLlamaFiles().FirstOrDefault(f => !string.Equals(Path.GetDirectoryName(f), ours, StringComparison.Ordinal));
        if (foreign is not null)
        {
            throw new LlamaNativeLibraryException(
                $"Another llama.cpp build is already loaded in this process ({foreign}; LLamaSharp's native library, if the " +
                "path says runtimes/). Rag.Model cannot load its own next to it: both ship libggml-base.so, and mixing them " +
                "kills the process. Fix: use one backend per process: either Rag.Model, or LLamaSharp through Rag.LLamaSharp " +
                "(builder.AddLLamaSharp()), or run the other one in a separate process.",
                searched);
        }
    }

    /// <summary>libllama*/libggml* files mapped into this process right now (from /proc/self/maps; empty elsewhere).</summary>
    internal static IReadOnlyList<string> MappedLlamaFiles()
    {
        var result = new List<string>();
        if (!File.Exists("/proc/self/maps"))
        {
            return result;
        }

        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var idx = line.IndexOf('/', StringComparison.Ordinal);
            if (idx < 0)
            {
                continue;
            }

            var path = line[idx..];
            var name = Path.GetFileName(path);
            if ((name.StartsWith("libggml", StringComparison.Ordinal) || name.StartsWith("libllama", StringComparison.Ordinal)) && !result.Contains(path))
            {
                result.Add(path);
            }
        }

        return result;
    }

    private static void LoadCoreLibraries(string dir, List<string> searched)
    {
        // Load order matters only for clear errors: base first, so a failure names the innermost missing piece.
        s_ggmlBase = Load(Path.Combine(dir, GgmlBaseFileName), searched);
        s_ggml = Load(Path.Combine(dir, GgmlFileName), searched);
        s_llama = Load(Path.Combine(dir, LlamaFileName), searched);

        var missing = RequiredSymbols.Where(s => !NativeLibrary.TryGetExport(s_llama, s, out _)).ToList();
        if (missing.Count > 0)
        {
            throw new LlamaNativeLibraryException(
                $"{Path.Combine(dir, LlamaFileName)} is not the llama.cpp build this binding expects (node-llama-cpp 3.22.1 / " +
                $"llama.cpp v0.5.0): missing exports {string.Join(", ", missing)}. Fix: run `./rag setup` to reinstall the " +
                $"pinned libraries, or point {LlamaBackendOptions.NativeDirEnvironmentVariable} at a matching build.",
                searched);
        }

        foreach (var s in new[] { "ggml_backend_load_all_from_path", "ggml_backend_dev_count" })
        {
            if (!NativeLibrary.TryGetExport(s_ggml, s, out _))
            {
                throw new LlamaNativeLibraryException($"{Path.Combine(dir, GgmlFileName)} does not export {s}; mismatched ggml build.", searched);
            }
        }
    }

    private static IntPtr Load(string path, List<string> searched)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            throw new LlamaNativeLibraryException(
                $"Could not load {path}: {ex.Message}\nLooked in:\n  {string.Join("\n  ", searched)}\nFix: run `./rag setup`, " +
                $"or set {LlamaBackendOptions.NativeDirEnvironmentVariable} to a directory with a complete, matching set of libraries.",
                searched, ex);
        }
    }

    private static void RegisterResolver()
    {
        if (s_resolverRegistered)
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(LlamaBackend).Assembly, Resolve);
        s_resolverRegistered = true;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name switch
    {
        LlamaNative.LibraryName => s_llama,
        GgmlNative.GgmlLibrary => s_ggml,
        GgmlNative.GgmlBaseLibrary => s_ggmlBase,
        _ => IntPtr.Zero,
    };

    private static string? TryLoadCuda(string cudaDir, ILogger logger)
    {
        var lib = Path.Combine(cudaDir, "libggml-cuda.so");
        var driver = IsNvidiaDriverPresent();
        if (!driver)
        {
            return File.Exists(lib) ? $"not loaded: {lib} exists but no NVIDIA driver was found" : "not loaded: no NVIDIA driver";
        }

        if (!File.Exists(lib))
        {
            logger.LogWarning("An NVIDIA driver is present but {Lib} does not exist; running on CPU. Install @node-llama-cpp/linux-x64-cuda@3.22.1 there to use the GPU.", lib);
            return $"not loaded: {lib} missing";
        }

        var reg = GgmlNative.ggml_backend_load(lib);
        if (reg == IntPtr.Zero)
        {
            // This is the case LLamaSharp users hit silently (wrong backend); say it loudly instead.
            logger.LogWarning("The CUDA backend {Lib} failed to load (it needs libcudart.so.13 and libcublas.so.13); running on CPU.", lib);
            return $"failed to load {lib}";
        }

        return $"loaded {lib}";
    }

    private static List<LlamaDeviceInfo> EnumerateDevices()
    {
        var list = new List<LlamaDeviceInfo>();
        var n = GgmlNative.ggml_backend_dev_count();
        for (nuint i = 0; i < n; i++)
        {
            var dev = GgmlNative.ggml_backend_dev_get(i);
            GgmlNative.ggml_backend_dev_memory(dev, out var free, out var total);
            list.Add(new LlamaDeviceInfo(
                Marshal.PtrToStringUTF8(GgmlNative.ggml_backend_dev_name(dev)) ?? "?",
                Marshal.PtrToStringUTF8(GgmlNative.ggml_backend_dev_description(dev)) ?? "?",
                (LlamaDeviceType)GgmlNative.ggml_backend_dev_type(dev),
                (long)total,
                (long)free));
        }

        return list;
    }

    private static List<string> LoadedNativeFiles(string dir)
    {
        // /proc/self/maps is the ground truth of which variant ggml picked (e.g. libggml-cpu-zen4.so).
        try
        {
            var mapped = MappedLlamaFiles().ToList();
            return mapped.Count > 0 ? mapped : [Path.Combine(dir, LlamaFileName)];
        }
        catch (IOException)
        {
            return [Path.Combine(dir, LlamaFileName)];
        }
    }
}
