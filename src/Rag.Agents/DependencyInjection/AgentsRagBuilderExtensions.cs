using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rag.Agents.Pal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the agents (PAL, and its sandbox) on an <see cref="IRagBuilder"/>.</summary>
public static class AgentsRagBuilderExtensions
{
    /// <summary>The configuration section of <see cref="PalAgentOptions"/>, under <c>Rag</c>.</summary>
    public const string PalSection = "Agents:Pal";

    /// <summary>
    /// Registers <see cref="IPalSandbox"/> (<see cref="JintPalSandbox"/>, or <see cref="ProcessPalSandbox"/> when
    /// <c>Rag:Agents:Pal:Sandbox:Isolation</c> is <c>Process</c>) and <see cref="PalAgent"/> over the registered
    /// <see cref="IChatClient"/>, with <see cref="PalAgentOptions"/> from <c>Rag:Agents:Pal</c> validated at start.
    /// </summary>
    public static IRagBuilder AddAgents(this IRagBuilder builder, Action<PalAgentOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<PalAgentOptions>().Bind(builder.Configuration.GetSection(PalSection));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        }).ValidateOnStart();
        builder.Services.TryAddSingleton<IPalSandbox>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PalAgentOptions>>().Value.Sandbox;
            return o.Isolation == PalIsolation.Process
                ? new ProcessPalSandbox(o, sp.GetService<ILogger<ProcessPalSandbox>>())
                : new JintPalSandbox(o, sp.GetService<ILogger<JintPalSandbox>>());
        });
        builder.Services.TryAddSingleton(sp => new PalAgent(
            sp.GetService<IChatClient>() ?? throw new InvalidOperationException(
                "The PAL agent needs a chat model, and no IChatClient is registered: configure the chat model (Rag:Model:Chat)."),
            sp.GetRequiredService<IPalSandbox>(),
            sp.GetRequiredService<IOptions<PalAgentOptions>>().Value,
            sp.GetService<ILogger<PalAgent>>()));
        return builder;
    }
}
