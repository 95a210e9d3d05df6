using System.Reflection;
using System.Reflection.Emit;
using Rag.Core.Storage;
using Rag.Ingest.Pipeline;
using Rag.Model;

namespace Rag.Host.Tests;

/// <summary>
/// The shipped libraries hold no console code: Rag.Core, Rag.Model and Rag.Ingest reference no System.CommandLine, and
/// no method in them calls <see cref="Console"/>, <see cref="Environment.Exit"/> or sets environment variables
/// (checked on their IL, so no call can hide behind a using alias).
/// </summary>
public class LibraryBoundaryTests
{
    private static readonly Assembly[] Libraries = [typeof(IndexStore).Assembly, typeof(LlamaModel).Assembly, typeof(IngestionPipeline).Assembly];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void Libraries_reference_no_System_CommandLine()
    {
        foreach (var library in Libraries)
        {
            Assert.DoesNotContain(library.GetReferencedAssemblies(), r => r.Name!.StartsWith("System.CommandLine", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Libraries_never_call_the_console_or_change_the_process_environment()
    {
        var offenders = new List<string>();
        var scanned = 0;
        foreach (var library in Libraries)
        {
            foreach (var type in library.GetTypes())
            {
                const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
                foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
                {
                    var il = method.GetMethodBody()?.GetILAsByteArray();
                    if (il is null)
                    {
                        continue;
                    }

                    scanned++;
                    foreach (var callee in Callees(method.Module, il, type, method))
                    {
                        if (callee.DeclaringType == typeof(Console)
                            || (callee.DeclaringType == typeof(Environment) && callee.Name is nameof(Environment.Exit) or nameof(Environment.SetEnvironmentVariable) or nameof(Environment.FailFast)))
                        {
                            offenders.Add($"{library.GetName().Name}: {type.FullName}.{method.Name} calls {callee.DeclaringType!.Name}.{callee.Name}");
                        }
                    }
                }
            }
        }

        Assert.True(scanned > 1000, $"only {scanned} method bodies scanned");
        Assert.True(offenders.Count == 0, string.Join("\n", offenders.Distinct()));
    }

    /// <summary>The methods called, created or loaded as delegates in one IL body.</summary>
    private static IEnumerable<MethodBase> Callees(Module module, byte[] il, Type type, MethodBase method)
    {
        var typeArgs = type.IsGenericType ? type.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                }

                if (callee is not null)
                {
                    yield return callee;
                }
            }

            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }
    }
}
