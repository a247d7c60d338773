// The command tree read from the command table and each command's own FlagSet (no command
// runs), and what is generated from it: completion data and man pages.

#include "ferry/cli/command_docs.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "ferry/cli/completion.hpp"
#include "ferry/cli/man_page.hpp"

namespace ferry::cli {
namespace {

const CommandDoc* find(const CommandDoc& root, std::vector<std::string> path) {
    const CommandDoc* at = &root;
    for (const auto& word : path) {
        const CommandDoc* next = nullptr;
        for (const auto& sub : at->subs)
            if (sub.path.back() == word) next = &sub;
        if (!next) return nullptr;
        at = next;
    }
    return at;
}

void each(const CommandDoc& doc, const std::function<void(const CommandDoc&)>& fn) {
    fn(doc);
    for (const auto& sub : doc.subs) each(sub, fn);
}

TEST(CommandDocs, EveryLeafCommandHasItsFlagTable) {
    auto root = describe_commands();
    int leaves = 0;
    each(root, [&](const CommandDoc& doc) {
        if (!doc.subs.empty() || doc.path.empty()) {
            EXPECT_FALSE(doc.flags) << doc.full_name();
            return;
        }
        ++leaves;
        ASSERT_TRUE(doc.flags) << doc.full_name() << " parses no FlagSet before its work";
        // The FlagSet names the command it belongs to (an alias path for the short forms:
        // `ferry images` is `ferry image ls`).
        EXPECT_TRUE(doc.flags->command.starts_with("ferry ")) << doc.full_name();
        EXPECT_FALSE(doc.summary.empty()) << doc.full_name();
    });
    EXPECT_GT(leaves, 40);
    EXPECT_FALSE(FlagCapture::active());
}

TEST(CommandDocs, FlagsAreTheOnesHelpPrints) {
    auto root = describe_commands();
    const CommandDoc* rm = find(root, {"rm"});
    ASSERT_TRUE(rm && rm->flags);
    EXPECT_EQ(rm->flags->usage, "[OPTIONS] CONTAINER [CONTAINER...]");
    ASSERT_EQ(rm->flags->flags.size(), 2u);
    EXPECT_EQ(rm->flags->flags[0].short_name, 'f');
    EXPECT_EQ(rm->flags->flags[0].name, "force");
    EXPECT_FALSE(rm->flags->flags[0].takes_value);
    const CommandDoc* run = find(root, {"run"});
    ASSERT_TRUE(run && run->flags);
    EXPECT_EQ(run->flags->interspersed, Interspersed::no);
    bool name = false;
    for (const auto& f : run->flags->flags)
        if (f.name == "name") name = f.takes_value && f.value_name == "string";
    EXPECT_TRUE(name);
    const CommandDoc* ls = find(root, {"image", "ls"});
    ASSERT_TRUE(ls);
    EXPECT_EQ(ls->aliases, (std::vector<std::string>{"list"}));
    EXPECT_EQ(ls->full_name(), "ferry image ls");
    EXPECT_TRUE(find(root, {"gpu", "cdi", "generate"}));
    EXPECT_FALSE(find(root, {"__restart"}));
}

TEST(CommandDocs, CaptureEndsTheCommandBeforeItsWork) {
    // rm with a capture: the flags are recorded and the command fails at parse, so no store is
    // opened (the empty Context would fail the test with another message).
    const Command* rm = find_command(top_level_commands(), "rm");
    ASSERT_TRUE(rm);
    FlagCapture capture;
    Context ctx;
    auto r = rm->fn({}, ctx);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "flags captured");
    ASSERT_TRUE(capture.info());
    EXPECT_EQ(capture.info()->command, "ferry rm");
}

TEST(Completion, NodesCarryChildrenFlagsAndArgumentKinds) {
    auto nodes = completion_nodes(describe_commands());
    ASSERT_FALSE(nodes.empty());
    EXPECT_EQ(nodes[0].path, "");
    auto node = [&](const std::string& path) -> const CompletionNode& {
        for (const auto& n : nodes)
            if (n.path == path) return n;
        ADD_FAILURE() << "no node " << path;
        return nodes[0];
    };
    bool list_alias = false;
    for (const auto& c : node("image").children)
        if (c.word == "list") list_alias = c.path == "image ls";
    EXPECT_TRUE(list_alias);
    EXPECT_EQ(node("rm").args, "container");
    EXPECT_TRUE(node("rm").args_repeat);
    EXPECT_EQ(node("run").args, "image");
    EXPECT_FALSE(node("run").args_repeat);
    EXPECT_FALSE(node("run").interspersed);
    EXPECT_EQ(node("volume rm").args, "volume");
    EXPECT_EQ(node("inspect").args, "container image");
    EXPECT_EQ(node("import").args, "file");
    EXPECT_EQ(node("ps").args, "none");
    EXPECT_EQ(node("top").args, "container");
    EXPECT_EQ(node("").flags.back().name, "help");
}

TEST(Completion, FileFlags) {
    EXPECT_TRUE(flag_takes_file({'i', "input", true, "string", ""}));
    EXPECT_TRUE(flag_takes_file({0, "env-file", true, "list", ""}));
    EXPECT_FALSE(flag_takes_file({0, "name", true, "string", ""}));
    EXPECT_FALSE(flag_takes_file({0, "output", false, "", ""}));
}

TEST(Completion, ShellQuote) {
    EXPECT_EQ(shell_quote("a b"), "'a b'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

TEST(ManPages, OnePagePerCommandInRoff) {
    auto pages = man_pages(describe_commands(), "9.9");
    ASSERT_FALSE(pages.empty());
    EXPECT_EQ(pages[0].first, "ferry.1");
    const std::string* run = nullptr;
    for (const auto& [name, text] : pages)
        if (name == "ferry-run.1") run = &text;
    ASSERT_TRUE(run);
    EXPECT_TRUE(run->starts_with(".TH \"FERRY-RUN\" \"1\" \"\" \"ferry 9.9\" \"Ferry Manual\"\n"));
    EXPECT_NE(run->find(".SH NAME\n\\fBferry\\-run\\fR \\- Create and run a new container"),
              std::string::npos);
    EXPECT_NE(run->find("\\fB\\-\\-name\\fR \\fIstring\\fR\nAssign a name to the container"),
              std::string::npos);
    bool image_ls = false;
    for (const auto& page : pages) image_ls |= page.first == "ferry-image-ls.1";
    EXPECT_TRUE(image_ls);
}

TEST(ManPages, TextCannotBecomeARequest) {
    EXPECT_EQ(roff_escape(".SH x\n'y\\z"), "\\&.SH x\n\\&'y\\ez");
}

}  // namespace
}  // namespace ferry::cli
