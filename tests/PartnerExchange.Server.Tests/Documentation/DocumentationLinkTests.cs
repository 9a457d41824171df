using System.Text;
using System.Text.RegularExpressions;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Documentation;

/// <summary>
/// Every relative link and image in README.md and docs/**/*.md points at a file of the repository, and a link to a
/// heading (<c>file.md#anchor</c> or <c>#anchor</c>) at a heading that exists, with GitHub's anchor rules.
/// </summary>
public sealed partial class DocumentationLinkTests
{
    [Fact]
    public void RelativeLinks_InReadmeAndDocs_PointAtFilesAndHeadingsThatExist()
    {
        var broken = new List<string>();
        foreach (var page in Pages())
        {
            var text = WithoutCode(File.ReadAllText(page));
            foreach (Match link in Link().Matches(text))
            {
                var target = link.Groups["target"].Value;
                var problem = Check(page, target);
                if (problem is not null)
                {
                    var line = text[..link.Index].Count(c => c == '\n') + 1;
                    broken.Add($"{Path.GetRelativePath(Repository.Root, page)}:{line}: {target}: {problem}");
                }
            }
        }
        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Theory]
    [InlineData("Versions and compatibility", "versions-and-compatibility")]
    [InlineData("Ops: pxctl", "ops-pxctl")]
    [InlineData("Keys and transport (TLS, mTLS)", "keys-and-transport-tls-mtls")]
    [InlineData("`ledger verify`: what it checks", "ledger-verify-what-it-checks")]
    [InlineData("Rate limits — per partner", "rate-limits--per-partner")]
    public void Anchor_OfAHeading_IsGitHubs(string heading, string anchor) => Assert.Equal(anchor, Anchor(heading));

    private static IEnumerable<string> Pages()
    {
        yield return Path.Combine(Repository.Root, "README.md");
        var docs = Path.Combine(Repository.Root, "docs");
        foreach (var page in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories))
        {
            if (!page.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                yield return page;
            }
        }
    }

    /// <summary>Null when the link is fine (or not relative), otherwise what is wrong with it.</summary>
    private static string? Check(string page, string target)
    {
        if (Scheme().IsMatch(target))
        {
            return null;
        }
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var pathPart = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : target[(hash + 1)..];
        var file = pathPart.Length == 0
            ? page
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, pathPart.TrimStart('/')));
        if (pathPart.StartsWith('/'))
        {
            file = Path.GetFullPath(Path.Combine(Repository.Root, pathPart.TrimStart('/')));
        }
        if (!File.Exists(file) && !Directory.Exists(file))
        {
            return "no such file";
        }
        if (anchor is null || !file.EndsWith(".md", StringComparison.Ordinal))
        {
            return null;
        }
        return Anchors(File.ReadAllText(file)).Contains(anchor) ? null : "no such heading";
    }

    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match heading in Heading().Matches(WithoutFences(markdown)))
        {
            var anchor = Anchor(heading.Groups["text"].Value);
            // GitHub numbers repeated headings: name, name-1, name-2, …
            var count = seen.GetValueOrDefault(anchor);
            seen[anchor] = count + 1;
            anchors.Add(count == 0 ? anchor : $"{anchor}-{count}");
        }
        return anchors;
    }

    /// <summary>GitHub's heading anchor: lower case, punctuation dropped (but - and _), each space a hyphen.</summary>
    private static string Anchor(string heading)
    {
        var text = new StringBuilder();
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                text.Append(c);
            }
            else if (c == ' ')
            {
                text.Append('-');
            }
        }
        return text.ToString();
    }

    /// <summary>The text without fenced blocks and code spans, whose brackets are not links (lines kept for line numbers).</summary>
    private static string WithoutCode(string markdown) => CodeSpan().Replace(WithoutFences(markdown), "``");

    /// <summary>The text without fenced blocks (whose # lines are not headings); a heading's code spans count in its anchor.</summary>
    private static string WithoutFences(string markdown) => Fence().Replace(markdown, m => new string('\n', m.Value.Count(c => c == '\n')));

    // [text](target) and ![alt](target), with an optional "title"; <img src="…"> too.
    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)|<img\s[^>]*src=""(?<target>[^""]+)""")]
    private static partial Regex Link();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^(```|~~~).*?^\1", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"`[^`\n]+`")]
    private static partial Regex CodeSpan();
}
