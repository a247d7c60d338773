// The fish script: fish completes through `complete` rules with conditions, so the data
// becomes one rule per subcommand, flag and argument kind, each conditioned on the command the
// typed words lead to (__ferry_walk, fish's version of the bash walker, fed by the generated
// __ferry_child and __ferry_values).

#include "ferry/cli/completion.hpp"

namespace ferry::cli {

namespace {

constexpr std::string_view k_fish_walker = R"SH(
# __ferry_walk: follows the typed words to a command; sets __ferry_path (its canonical path),
# __ferry_npos (positionals after it), __ferry_flags_done, __ferry_help and __ferry_cmd (ferry
# with the --root and --log-level typed before the command).
function __ferry_walk
    set -l tokens (commandline -opc)
    set -g __ferry_path ''
    set -g __ferry_npos 0
    set -g __ferry_flags_done 0
    set -g __ferry_help 0
    set -g __ferry_cmd $tokens[1]
    set -l values (__ferry_values '')
    set -l skip 0
    for w in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            test -n "$__ferry_path"; or set -a __ferry_cmd $w
            continue
        end
        if test $__ferry_flags_done = 0; and string match -q -- '-?*' $w
            if test "$w" = --
                set __ferry_flags_done 1
            else if contains -- $w $values
                set skip 1
                test -n "$__ferry_path"; or set -a __ferry_cmd $w
            else if test -z "$__ferry_path"; and string match -q -- '--*=*' $w
                contains -- (string split -m 1 = -- $w)[1] $values; and set -a __ferry_cmd $w
            end
            continue
        end
        if test -z "$__ferry_path"; and test $__ferry_help = 0; and test "$w" = help
            set __ferry_help 1
            continue
        end
        set -l next (__ferry_child "$__ferry_path" $w)
        if test $status = 0
            set __ferry_path $next
            set values (__ferry_values $next)
            continue
        end
        set __ferry_npos (math $__ferry_npos + 1)
        __ferry_interspersed "$__ferry_path"; or set __ferry_flags_done 1
    end
end

# __ferry_sub PATH: the typed words lead to PATH and a subcommand comes next.
function __ferry_sub
    __ferry_walk
    test "$__ferry_path" = "$argv[1]"
end

# __ferry_flag PATH: the typed words lead to PATH and flags are still read.
function __ferry_flag
    __ferry_walk
    test "$__ferry_path" = "$argv[1]"; and test $__ferry_help = 0; and test $__ferry_flags_done = 0
end

# __ferry_arg PATH REPEAT: the next word is an argument of PATH that names something (the
# first one, or any when REPEAT is 1).
function __ferry_arg
    __ferry_walk
    test "$__ferry_path" = "$argv[1]"; and test $__ferry_help = 0
    and begin; test $__ferry_npos = 0; or test $argv[2] = 1; end
end

# __ferry_names KIND...: names of containers, images, volumes or networks, listed by ferry itself.
function __ferry_names
    for kind in $argv
        switch $kind
            case container
                $__ferry_cmd ps -a --format '{{.Names}}' 2>/dev/null
            case image
                $__ferry_cmd images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | string match -v '*<none>*'
            case volume
                $__ferry_cmd volume ls -q 2>/dev/null
            case network
                $__ferry_cmd network ls --format '{{.Name}}' 2>/dev/null
        end
    end
end
)SH";

// A fish single-quoted word (\ and ' escaped).
std::string fish_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

std::string fish_completion(const std::vector<CompletionNode>& nodes, Descriptions d) {
    auto desc = [d](const std::string& text) {
        return d == Descriptions::yes ? " -d " + fish_quote(first_line(text)) : std::string();
    };
    std::string out =
        "# fish completion for ferry, generated from its command and flag tables:\n"
        "#   ferry completion fish | source\n"
        "# or save it as ~/.config/fish/completions/ferry.fish.\n\n"
        "# __ferry_child PATH WORD: the path of the command WORD names under PATH.\n"
        "function __ferry_child\n    switch \"$argv[1]/$argv[2]\"\n";
    for (const auto& node : nodes)
        for (const auto& c : node.children)
            out += "        case " + fish_quote(node.path + "/" + c.word) + "\n            echo " +
                   fish_quote(c.path) + "\n";
    out += "        case '*'\n            return 1\n    end\nend\n\n"
           "# __ferry_values PATH: the flags of the command at PATH that take a value.\n"
           "function __ferry_values\n    switch \"$argv[1]\"\n";
    std::string not_interspersed;
    for (const auto& node : nodes) {
        std::string values;
        for (const auto& f : node.flags) {
            if (!f.takes_value) continue;
            if (f.short_name) values += std::string(" -") + f.short_name;
            values += " --" + f.name;
        }
        if (!values.empty())
            out += "        case " + fish_quote(node.path) + "\n            printf '%s\\n'" +
                   values + "\n";
        if (!node.interspersed) not_interspersed += " " + fish_quote(node.path);
    }
    out += "    end\nend\n\n"
           "# __ferry_interspersed PATH: flags may follow the arguments of the command at PATH.\n"
           "function __ferry_interspersed\n    switch \"$argv[1]\"\n";
    if (!not_interspersed.empty()) out += "        case" + not_interspersed + "\n            return 1\n";
    out += "    end\n    return 0\nend\n";
    out += k_fish_walker;
    out += "\ncomplete -c ferry -e\n";
    for (const auto& node : nodes) {
        const std::string at = fish_quote(node.path);
        for (const auto& c : node.children)
            out += "complete -c ferry -f -n " + fish_quote("__ferry_sub " + at) + " -a " +
                   fish_quote(c.word) + desc(c.summary) + "\n";
        for (const auto& f : node.flags) {
            out += "complete -c ferry -n " + fish_quote("__ferry_flag " + at);
            if (f.short_name) out += std::string(" -s ") + f.short_name;
            out += " -l " + f.name;
            if (f.takes_value) out += flag_takes_file(f) ? " -r -F" : " -x";
            out += desc(f.help) + "\n";
        }
        if (!node.children.empty() || (node.args.empty() && !node.path.empty()))
            out += "complete -c ferry -f -n " + fish_quote("__ferry_sub " + at) + "\n";
        if (!node.args.empty() && node.args != "file")
            out += "complete -c ferry -f -n " +
                   fish_quote("__ferry_arg " + at + (node.args_repeat ? " 1" : " 0")) +
                   " -a " + fish_quote("(__ferry_names " + node.args + ")") + "\n";
    }
    return out;
}

}  // namespace ferry::cli
