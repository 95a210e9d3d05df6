// The Rag chat console: `dotnet run --project samples/Rag.ChatConsole -- [INDEX_DIR] [--Rag:Section:Key=Value ...]`,
// or `./rag chat [INDEX_DIR]`. See ChatApp for the commands.
return await Rag.ChatConsole.ChatApp.RunAsync(args, "chat").ConfigureAwait(false);
