// `ferry completion bash|zsh|fish`: prints the script generated from the command tree, with
// docker's help texts on how to load it.

#include "ferry/cli/completion_cmd.hpp"

#include "ferry/cli/completion.hpp"

namespace ferry::cli {

namespace {

struct ShellText {
    std::string_view name, details;
};

constexpr ShellText k_shells[] = {
    {"bash",
     "To load completions in your current shell session:\n\n"
     "\tsource <(ferry completion bash)\n\n"
     "To load completions for every new session (with the 'bash-completion' package),\n"
     "execute once:\n\n"
     "\tferry completion bash > /etc/bash_completion.d/ferry\n\n"
     "You will need to start a new shell for this setup to take effect."},
    {"zsh",
     "If shell completion is not already enabled in your environment you will need\n"
     "to enable it.  You can execute the following once:\n\n"
     "\techo \"autoload -U compinit; compinit\" >> ~/.zshrc\n\n"
     "To load completions in your current shell session:\n\n"
     "\tsource <(ferry completion zsh)\n\n"
     "To load completions for every new session, execute once:\n\n"
     "\tferry completion zsh > \"${fpath[1]}/_ferry\"\n\n"
     "You will need to start a new shell for this setup to take effect."},
    {"fish",
     "To load completions in your current shell session:\n\n"
     "\tferry completion fish | source\n\n"
     "To load completions for every new session, execute once:\n\n"
     "\tferry completion fish > ~/.config/fish/completions/ferry.fish\n\n"
     "You will need to start a new shell for this setup to take effect."},
};

}  // namespace

Result<CompletionOptions> parse_completion(Shell shell, Args args) {
    CompletionOptions o;
    o.shell = shell;
    const ShellText& text = k_shells[static_cast<int>(shell)];
    FlagSet flags("ferry completion " + std::string(text.name), "",
                  "Generate the autocompletion script for the " + std::string(text.name) +
                      " shell");
    flags.set_details(std::string(text.details));
    if (shell != Shell::bash)
        flags.add_bool(0, "no-descriptions", &o.no_descriptions,
                       "disable completion descriptions");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_completion(const CompletionOptions& o, Context&) {
    auto nodes = completion_nodes(describe_commands());
    auto d = o.no_descriptions ? Descriptions::no : Descriptions::yes;
    switch (o.shell) {
        case Shell::bash: print_out(bash_completion(nodes)); break;
        case Shell::zsh: print_out(zsh_completion(nodes, d)); break;
        case Shell::fish: print_out(fish_completion(nodes, d)); break;
    }
    return 0;
}

Result<int> cmd_completion_bash(Args args, Context& ctx) {
    return dispatch(+[](Args a) { return parse_completion(Shell::bash, a); }, run_completion, args,
                    ctx);
}
Result<int> cmd_completion_zsh(Args args, Context& ctx) {
    return dispatch(+[](Args a) { return parse_completion(Shell::zsh, a); }, run_completion, args,
                    ctx);
}
Result<int> cmd_completion_fish(Args args, Context& ctx) {
    return dispatch(+[](Args a) { return parse_completion(Shell::fish, a); }, run_completion, args,
                    ctx);
}

}  // namespace ferry::cli
