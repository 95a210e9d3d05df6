using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rag.Model.Native.Interop;

namespace Rag.Model.Native.Internal;

/// <summary>
/// Routes llama.cpp/ggml log output to an ILogger. llama.cpp logs in fragments (GGML_LOG_LEVEL_CONT continues the
/// previous line), so fragments are joined per thread until a newline. Error lines are also captured per thread while a
/// <see cref="Capture"/> scope is open, so a failed load can quote llama.cpp's own reason in its exception.
/// </summary>
internal static unsafe class LlamaLog
{
    private static ILogger s_logger = NullLogger.Instance;
    private static LogLevel s_minLevel = LogLevel.Warning;

    [ThreadStatic] private static StringBuilder? t_line;
    [ThreadStatic] private static int t_lineLevel;
    [ThreadStatic] private static List<string>? t_capture;
    [ThreadStatic] private static Action<string>? t_listener;

    /// <summary>Sends every line llama.cpp logs on this thread (any level) to <paramref name="listener"/> until disposed.</summary>
    public static ListenerScope Listen(Action<string> listener)
    {
        var previous = t_listener;
        t_listener = listener;
        return new ListenerScope(previous);
    }

    /// <summary>Restores the previous listener when disposed.</summary>
    internal readonly struct ListenerScope(Action<string>? previous) : IDisposable
    {
        public void Dispose() => t_listener = previous;
    }

    /// <summary>The logger llama.cpp's lines go to.</summary>
    public static ILogger Logger => s_logger;

    public static void Configure(ILogger logger, LogLevel minLevel)
    {
        s_logger = logger;
        s_minLevel = minLevel;
    }

    public static void Install()
    {
        delegate* unmanaged[Cdecl]<int, byte*, void*, void> cb = &OnLog;
        LlamaNative.llama_log_set((IntPtr)cb, IntPtr.Zero);
        GgmlNative.ggml_log_set((IntPtr)cb, IntPtr.Zero);
    }

    /// <summary>Starts capturing warning and error lines logged on this thread; dispose to stop.</summary>
    public static CaptureScope Capture()
    {
        var previous = t_capture;
        t_capture = new List<string>();
        return new CaptureScope(previous);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(int level, byte* text, void* userData)
    {
        try
        {
            var s = text is null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)text) ?? string.Empty;
            var line = t_line ??= new StringBuilder();
            if (level != 5)
            {
                if (line.Length > 0)
                {
                    Flush(line);
                }

                t_lineLevel = level;
            }

            line.Append(s);
            if (s.EndsWith('\n'))
            {
                Flush(line);
            }
        }
        catch
        {
            // Never let an exception unwind into native code.
        }
    }

    private static void Flush(StringBuilder line)
    {
        var msg = line.ToString().TrimEnd('\n', '\r');
        line.Clear();
        var level = t_lineLevel switch
        {
            1 => LogLevel.Debug,
            2 => LogLevel.Information,
            3 => LogLevel.Warning,
            4 => LogLevel.Error,
            _ => LogLevel.Debug,
        };

        t_listener?.Invoke(msg);
        if (level >= LogLevel.Warning && t_capture is { } cap)
        {
            cap.Add(msg);
        }

        if (level >= s_minLevel && msg.Length > 0)
        {
            s_logger.Log(level, "llama.cpp: {Message}", msg);
        }
    }

    /// <summary>Restores the previous capture list when disposed.</summary>
    internal readonly struct CaptureScope : IDisposable
    {
        private readonly List<string>? _previous;

        public CaptureScope(List<string>? previous) => _previous = previous;

        /// <summary>Lines captured so far.</summary>
        public IReadOnlyList<string> Lines => t_capture ?? (IReadOnlyList<string>)Array.Empty<string>();

        public void Dispose() => t_capture = _previous;
    }
}
