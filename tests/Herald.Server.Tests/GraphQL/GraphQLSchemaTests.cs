using GraphQL;
using Herald.Server.GraphQL;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.GraphQL;

/// <summary>docs/schema.graphql is the schema Herald serves: this fails when they drift (UPDATE_SCHEMA=1 rewrites the file).</summary>
public sealed class GraphQLSchemaTests
{
    [Fact]
    public void SchemaFile_MatchesTheServedSchema()
    {
        using var herald = new HeraldApplication();
        var schema = herald.Services.GetRequiredService<HeraldSchema>();
        schema.Initialize();
        var printed = schema.Print()
            .ReplaceLineEndings("\n").TrimEnd() + "\n";
        var path = Path.Combine(Requirements.RepositoryRoot, "docs", "schema.graphql");
        if (Environment.GetEnvironmentVariable("UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(path, printed);
        }

        Assert.True(File.Exists(path), "docs/schema.graphql is missing: run this test with UPDATE_SCHEMA=1.");
        Assert.True(File.ReadAllText(path).ReplaceLineEndings("\n") == printed,
            "docs/schema.graphql differs from the served schema: run this test with UPDATE_SCHEMA=1 and commit the file.");
    }
}
