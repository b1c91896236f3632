using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Relucent.Generator.Tests;

/// <summary>
/// Token-level edits of valid declarations: deletions, duplications, swaps, truncations, odd literals
/// (zero, negative, huge, non-constant, wrong type), swapped layer names and stray punctuation.
/// </summary>
public static class Mutator
{
    private static readonly string[] Literals = { "0", "-1", "-7", "2147483647", "100000", "n", "\"7\"", "1.5", "null", "int.MaxValue", "default", "true", "1e300", "(1 + 2)", "k" };
    private static readonly string[] LayerNames = { "Dense", "ReLU", "Tanh", "Sigmoid", "Flatten", "Softmax", "Dropout", "Conv2D", "MaxPool", "AvgPool", "BatchNorm", "Residual", "Input", "Forward", "ToString" };
    private static readonly string[] Stray = { ".", "(", ")", ",", ";", "=>", "b", "Net", "Net.Input(3)", ".ReLU()", ".Flatten()", "static", "partial", "[Saliency]", "{", "}", "name:", "kernel:", "stride: 3", "?", "!" };

    public static string Mutate(string source, Random random)
    {
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++) source = MutateOnce(source, random);
        return source;
    }

    private static string MutateOnce(string source, Random random)
    {
        List<SyntaxToken> tokens = SyntaxFactory.ParseTokens(source).Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();
        if (tokens.Count == 0) return source;
        var pieces = tokens.Select(t => t.ToFullString()).ToList();
        int at = random.Next(pieces.Count);
        switch (random.Next(9))
        {
            case 0: pieces.RemoveAt(at); break;
            case 1: pieces.Insert(at, pieces[at]); break;
            case 2:
                if (at + 1 < pieces.Count) (pieces[at], pieces[at + 1]) = (pieces[at + 1], pieces[at]);
                break;
            case 3: pieces.RemoveRange(at, pieces.Count - at); break;
            case 4:
                int[] numbers = Indices(tokens, t => t.IsKind(SyntaxKind.NumericLiteralToken));
                if (numbers.Length > 0) Replace(pieces, tokens, numbers[random.Next(numbers.Length)], Literals[random.Next(Literals.Length)]);
                break;
            case 5:
                int[] names = Indices(tokens, t => t.IsKind(SyntaxKind.IdentifierToken) && LayerNames.Contains(t.ValueText));
                if (names.Length > 0) Replace(pieces, tokens, names[random.Next(names.Length)], LayerNames[random.Next(LayerNames.Length)]);
                break;
            case 6: pieces.Insert(at, " " + Stray[random.Next(Stray.Length)] + " "); break;
            case 7:
                int[] partials = Indices(tokens, t => t.ValueText == "partial");
                if (partials.Length > 0) Replace(pieces, tokens, partials[0], "");
                break;
            default:
                int[] statics = Indices(tokens, t => t.IsKind(SyntaxKind.StaticKeyword));
                if (statics.Length > 0) Replace(pieces, tokens, statics[random.Next(statics.Length)], "");
                break;
        }
        var text = new StringBuilder();
        foreach (string piece in pieces) text.Append(piece);
        return text.ToString();
    }

    private static int[] Indices(List<SyntaxToken> tokens, Func<SyntaxToken, bool> match) =>
        Enumerable.Range(0, tokens.Count).Where(i => match(tokens[i])).ToArray();

    // Keeps the token's trivia so the rest of the source stays laid out as it was.
    private static void Replace(List<string> pieces, List<SyntaxToken> tokens, int index, string text) =>
        pieces[index] = tokens[index].LeadingTrivia.ToFullString() + text + tokens[index].TrailingTrivia.ToFullString();
}
