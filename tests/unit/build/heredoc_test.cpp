// Here-documents as BuildKit reads them: which words announce one, how the delimiter's quoting
// decides expansion, `<<-` tab stripping, several per line, COPY's inline sources, ONBUILD,
// and the unterminated case.

#include <gtest/gtest.h>

#include "ferry/build/ast.hpp"
#include "ferry/build/dockerfile.hpp"
#include "parse_helpers.hpp"

namespace ferry::build {
namespace {

using test::instructions_of;
using test::only;
using test::parse_error_of;
using test::parse_ok;

std::vector<Heredoc> run_docs(std::string_view body) {
    return only<RunInstruction>(body).command.files;
}

TEST(Heredoc, Words) {
    for (const char* w : {"<<EOF", "<<'EOF'", "<<\"EOF\"", "<<-EOF", "<<-'EOF'", "<<-\"EOF\"",
                          "<<EO\"F\"", "<< EOF", "<<- EOF"}) {
        auto h = heredoc_from_word(w);
        ASSERT_TRUE(h && *h) << w;
        EXPECT_EQ((*h)->name, "EOF") << w;
    }
    for (const char* w : {"", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"}) {
        auto h = heredoc_from_word(w);
        ASSERT_TRUE(h) << w;
        EXPECT_FALSE(*h) << w;
    }
    for (const char* w : {"<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""})
        EXPECT_FALSE(heredoc_from_word(w)) << w;
    auto h = heredoc_from_word("3<<-'X'");
    EXPECT_EQ((*h)->fd, 3u);
    EXPECT_TRUE((*h)->chomp);
    EXPECT_FALSE((*h)->expand);
    EXPECT_EQ(heredoc_from_word("<<'EOF").error().message,
              "failed to process \"'EOF\": unexpected end of statement while looking for "
              "matching single-quote");
}

TEST(Heredoc, BuildKitCases) {
    struct Case {
        const char* body;
        std::vector<Heredoc> docs;
    };
    const Case cases[] = {
        {"RUN <<EMPTY\nEMPTY\n", {{"EMPTY", "", 0, true, false}}},
        {"RUN 3<<EMPTY2\nEMPTY2\n", {{"EMPTY2", "", 3, true, false}}},
        {"RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n", {{"INDENT", "\tfoo\n\tbar\n", 0, true, false}}},
        {"RUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n",
         {{"UNINDENT", "\tbaz\n\tquux\n", 0, true, true}}},
        {"RUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n",
         {{"UNINDENT2", "\tbaz\n\tquux\n", 0, true, true}}},
        {"RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n",
         {{"NOEXPAND", "\tdon't expand $NAME\n", 0, false, true}}},
        {"RUN <<COMMENT\n# internal comment\necho foo bar # trailing comment\nCOMMENT\n",
         {{"COMMENT", "# internal comment\necho foo bar # trailing comment\n", 0, true, false}}},
        {"RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n",
         {{"MOUNT", "echo hello\n", 0, true, false}}},
        {"RUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX\n",
         {{"COMPLEX", "print('hello world')\n", 0, true, false}}},
        {"RUN <<eo'f'\necho foo\neof\n", {{"eof", "echo foo\n", 0, false, false}}},
        {"RUN <<eo\\'f\necho foo\neo'f\n", {{"eo'f", "echo foo\n", 0, true, false}}},
        {"RUN <<'e'o\\'f\necho foo\neo'f\n", {{"eo'f", "echo foo\n", 0, false, false}}},
        {"RUN <<'one two'\necho bar\none two\n", {{"one two", "echo bar\n", 0, false, false}}},
        {"RUN <<$EOF\n$EOF\n", {{"$EOF", "", 0, true, false}}},
        {"RUN <<  EOF\nEOF\n", {{"EOF", "", 0, true, false}}},
        {"RUN <<  EOF  > foo\nEOF\n", {{"EOF", "", 0, true, false}}},
        {"RUN <<X <<Y\nY\nX\nX\nY\n", {{"X", "Y\n", 0, true, false}, {"Y", "X\n", 0, true, false}}},
        {"RUN \"<<NOHEREDOC\"\n", {}},
        {"RUN '<<EOF'\n", {}},
        {"RUN [\"<<EOF\"]\n", {}},
        {"RUN <<- EOF\n", {}},  // `<<-` and `EOF` are two words: no heredoc
    };
    for (const auto& c : cases) {
        auto docs = run_docs(c.body);
        ASSERT_EQ(docs.size(), c.docs.size()) << c.body;
        for (size_t i = 0; i < docs.size(); ++i) {
            EXPECT_EQ(docs[i].name, c.docs[i].name) << c.body;
            EXPECT_EQ(docs[i].content, c.docs[i].content) << c.body;
            EXPECT_EQ(docs[i].fd, c.docs[i].fd) << c.body;
            EXPECT_EQ(docs[i].expand, c.docs[i].expand) << c.body;
            EXPECT_EQ(docs[i].chomp, c.docs[i].chomp) << c.body;
        }
    }
}

TEST(Heredoc, OnlyRunCopyAdd) {
    // USER takes no heredoc, so the next line is an instruction of its own.
    ParseError e = parse_error_of("FROM a\nUSER <<INVALID\nINVALID\n");
    EXPECT_EQ(e.message, "unknown instruction: INVALID");
    EXPECT_EQ(e.line, 3);
}

TEST(Heredoc, ReferenceExamples) {
    auto in = instructions_of(
        "RUN <<EOT bash\n"
        "  set -ex\n"
        "  apt-get update\n"
        "  apt-get install -y vim\n"
        "EOT\n"
        "RUN <<FILE1 cat > file1 && <<FILE2 cat > file2\n"
        "I am\nfirst\nFILE1\nI am\nsecond\nFILE2\n"
        "COPY <<EOF greeting.txt\nhello world\nEOF\n"
        "COPY <<-EOT /script.sh\n  echo \"hello ${FOO}\"\nEOT\n"
        "COPY <<-\"EOT\" /script.sh\n  echo \"hello ${FOO}\"\nEOT\n"
        "ENTRYPOINT ash /script.sh\n");
    ASSERT_EQ(in.size(), 6u);
    auto& bash = std::get<RunInstruction>(in[0]);
    EXPECT_EQ(bash.command.args, (std::vector<std::string>{"<<EOT bash"}));
    EXPECT_EQ(bash.command.files[0].content,
              "  set -ex\n  apt-get update\n  apt-get install -y vim\n");
    EXPECT_EQ(bash.source.line, 2);
    EXPECT_EQ(bash.source.end_line, 6);
    EXPECT_EQ(bash.source.code, "RUN <<EOT bash");
    auto& two = std::get<RunInstruction>(in[1]);
    ASSERT_EQ(two.command.files.size(), 2u);
    EXPECT_EQ(two.command.files[0].content, "I am\nfirst\n");
    EXPECT_EQ(two.command.files[1].content, "I am\nsecond\n");
    auto& greeting = std::get<CopyInstruction>(in[2]);
    EXPECT_TRUE(greeting.paths.sources.empty());
    ASSERT_EQ(greeting.paths.inline_sources.size(), 1u);
    EXPECT_EQ(greeting.paths.inline_sources[0].path, "EOF");
    EXPECT_EQ(greeting.paths.inline_sources[0].data, "hello world\n");
    EXPECT_EQ(greeting.paths.dest, "greeting.txt");
    auto& script = std::get<CopyInstruction>(in[3]);
    EXPECT_EQ(script.paths.inline_sources[0].data, "  echo \"hello ${FOO}\"\n");  // spaces stay
    EXPECT_TRUE(script.paths.inline_sources[0].expand);
    EXPECT_FALSE(std::get<CopyInstruction>(in[4]).paths.inline_sources[0].expand);
}

TEST(Heredoc, CopySources) {
    auto copy = only<CopyInstruction>(
        "COPY --chmod=755 <<FILE1 <<-FILE2 plain.txt /dest/\ncontent 1\nFILE1\n\t\tcontent "
        "2\n\tFILE2\n");
    ASSERT_EQ(copy.paths.inline_sources.size(), 2u);
    EXPECT_EQ(copy.paths.inline_sources[0].data, "content 1\n");
    EXPECT_EQ(copy.paths.inline_sources[1].path, "FILE2");
    EXPECT_EQ(copy.paths.inline_sources[1].data, "content 2\n");  // <<- strips leading tabs
    EXPECT_EQ(copy.paths.sources, (std::vector<std::string>{"plain.txt"}));
    EXPECT_EQ(copy.chmod, "755");
    auto quotes = only<CopyInstruction>("COPY <<EOF /quotes\n\"foo\"\n'bar'\nEOF\n");
    EXPECT_EQ(quotes.paths.inline_sources[0].data, "\"foo\"\n'bar'\n");
    EXPECT_EQ(chomp_heredoc("\thello\n\t\tworld\n  x\t\n"), "hello\nworld\n  x\t\n");
}

TEST(Heredoc, Errors) {
    ParseError e = parse_error_of("FROM a\nRUN <<EOF\necho hi\n");
    EXPECT_EQ(e.message, "unterminated heredoc");
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.end_line, 3);
    EXPECT_FALSE(e.in_instruction);
    e = parse_error_of("FROM a\nCOPY <<A <<B /x\nA\n");
    EXPECT_EQ(e.message, "unterminated heredoc");
    EXPECT_EQ(e.end_line, 3);
    e = parse_error_of("FROM a\nCOPY <<EOF <<DEST\nx\nEOF\nDEST\n");
    EXPECT_EQ(e.message, "COPY cannot accept a heredoc as a destination");
    EXPECT_TRUE(e.in_instruction);
    EXPECT_EQ(e.line, 2);
    EXPECT_EQ(e.end_line, 5);
    EXPECT_EQ(parse_error_of("FROM a\nADD <<EOF <<D\nEOF\nD\n").message,
              "ADD cannot accept a heredoc as a destination");
}

TEST(Heredoc, Onbuild) {
    auto on = only<OnbuildInstruction>("onbuild RUN <<EOF\necho hi\nEOF\n");
    EXPECT_EQ(on.trigger, "RUN");
    EXPECT_EQ(on.expression, "RUN <<EOF\necho hi\nEOF");
    EXPECT_EQ(on.source.end_line, 4);
    // The wrapped expression parses on its own.
    Dockerfile child = parse_ok("FROM x\n" + on.expression + "\n");
    EXPECT_EQ(std::get<RunInstruction>(child.stages[0].instructions[0]).command.files[0].content,
              "echo hi\n");
}

TEST(Heredoc, CarriageReturns) {
    auto docs = run_docs("RUN <<EOF\r\nline\r\nEOF\r\n");
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].content, "line\r\n");
}

}  // namespace
}  // namespace ferry::build
