// The command tree flattened for completion, and the bash script. Each script is data plus one
// fixed walker: the data is two generated functions, __ferry_child (PATH WORD -> the child's
// canonical path, aliases included) and __ferry_spec (PATH -> its subcommands, flags and what
// its arguments name); the walker follows the typed words through them. What an argument
// names comes from the usage line (`[OPTIONS] CONTAINER [CONTAINER...]`), so a new command
// completes without edits here.

#include "ferry/cli/completion.hpp"

#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// The kind of the first positional of usage and whether every positional is of that kind.
std::pair<std::string, bool> usage_args(const std::string& usage) {
    std::vector<std::string> tokens;
    for (auto& t : split(usage, ' '))
        if (!t.empty() && t != "[OPTIONS]") tokens.push_back(t);
    if (tokens.empty()) return {"none", true};  // no argument: nothing to offer, not even files
    static constexpr std::pair<std::string_view, std::string_view> k_kinds[] = {
        {"NAME|ID", "container image"}, {"CONTAINER", "container"}, {"IMAGE", "image"},
        {"REPOSITORY", "image"},        {"VOLUME", "volume"},       {"FILE", "file"},
        {"PATH", "file"},               {"NETWORK", "network"}};
    for (auto [word, kind] : k_kinds) {
        if (tokens[0].find(word) == std::string::npos) continue;
        bool repeat = tokens.size() > 1 && tokens[1].find(word) != std::string::npos &&
                      tokens[1].find("...") != std::string::npos;
        return {std::string(kind), repeat};
    }
    return {"", false};
}

void flatten(const CommandDoc& doc, std::vector<CompletionNode>& out) {
    CompletionNode node;
    node.path = join(doc.path, " ");
    for (const auto& sub : doc.subs) {
        std::string path = join(sub.path, " ");
        node.children.push_back({sub.path.back(), path, sub.summary});
        for (const auto& alias : sub.aliases) node.children.push_back({alias, path, sub.summary});
    }
    if (doc.path.empty()) {
        for (const auto& f : global_flags()) node.flags.push_back(f);
    } else if (doc.flags) {
        node.flags = doc.flags->flags;
        std::tie(node.args, node.args_repeat) = usage_args(doc.flags->usage);
        node.interspersed = doc.flags->interspersed == Interspersed::yes;
    }
    node.flags.push_back({0, "help", false, "", "Print usage"});
    out.push_back(std::move(node));
    for (const auto& sub : doc.subs) flatten(sub, out);
}

// "-a --all" for a flag.
std::string flag_words(const FlagInfo& f) {
    std::string out = f.short_name ? std::string("-") + f.short_name + " " : "";
    return out + "--" + f.name;
}

// The walker: joins what bash split at `=` and `:`, follows the words to a command, then
// completes a flag's value, a flag, a subcommand, a name or a file.
constexpr std::string_view k_bash_walker = R"SH(
# __ferry_names KIND...: names of containers, images, volumes or networks, listed by ferry
# itself (with the --root and --log-level typed before the command).
__ferry_names() {
    local kind
    for kind in "$@"; do
        case $kind in
        container) "${__ferry_cmd[@]}" ps -a --format '{{.Names}}' ;;
        image) "${__ferry_cmd[@]}" images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' ;;
        volume) "${__ferry_cmd[@]}" volume ls -q ;;
        network) "${__ferry_cmd[@]}" network ls --format '{{.Name}}' ;;
        esac
    done 2>/dev/null
}

__ferry_reply() { mapfile -t COMPREPLY < <(compgen "$@" -- "$cur"); }

_ferry() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev="" path="" subs bools values files args repeat inter
    local -a __ferry_cmd=("${COMP_WORDS[0]}") words=()
    local i w next n npos=0 flags_done=0 help=0 colon=""
    COMPREPLY=()
    # The words before the cursor as typed: bash splits `--root=/x` and `a:b` at = and :.
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == [=:] && ${#words[@]} -gt 0 ]]; then
            words[-1]+=$w
            if ((i + 1 < COMP_CWORD)); then i=$((i + 1)); words[-1]+=${COMP_WORDS[i]}; fi
            continue
        fi
        words+=("$w")
    done
    if [[ $cur == [=:] && ${#words[@]} -gt 0 ]]; then
        words[-1]+=$cur
        cur=""
    fi
    n=${#words[@]}
    if ((n > 0)) && [[ ${words[n - 1]} == *: ]]; then  # the cursor is past a colon
        colon=${words[n - 1]}
        cur=$colon$cur
        unset 'words[n - 1]'
        n=$((n - 1))
    elif ((n > 0)) && [[ ${words[n - 1]} == -*= ]]; then  # the value of --flag=
        prev=${words[n - 1]%=}
        unset 'words[n - 1]'
        n=$((n - 1))
    elif [[ $cur == -*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi
    __ferry_spec ""
    for ((i = 0; i < n; i++)); do
        w=${words[i]}
        if ((flags_done == 0)) && [[ $w == -?* ]]; then
            if [ "$w" = -- ]; then
                flags_done=1
            elif [[ $w != *=* && " $values " == *" $w "* ]] && ((i + 1 < n)); then
                [ -n "$path" ] || __ferry_cmd+=("$w" "${words[i + 1]}")
                i=$((i + 1))
            elif [ -z "$path" ] && [[ $w == --*=* && " $values " == *" ${w%%=*} "* ]]; then
                __ferry_cmd+=("$w")
            fi
            continue
        fi
        if [ -z "$path" ] && ((help == 0)) && [ "$w" = help ]; then
            help=1
            continue
        fi
        if next=$(__ferry_child "$path" "$w"); then
            path=$next
            __ferry_spec "$path"
            continue
        fi
        npos=$((npos + 1))
        ((inter == 1)) || flags_done=1
    done
    if [ -z "$prev" ] && ((n > 0 && flags_done == 0)) && [[ " $values " == *" ${words[n - 1]} "* ]]; then
        prev=${words[n - 1]}
    fi
    if [ -n "$prev" ]; then
        [[ " $files " != *" $prev "* ]] || { compopt -o filenames 2>/dev/null; __ferry_reply -f; }
    elif ((help == 1)); then
        __ferry_reply -W "$subs"
    elif ((flags_done == 0)) && [[ $cur == -* ]]; then
        __ferry_reply -W "$bools $values"
    elif [ -n "$subs" ]; then
        __ferry_reply -W "$subs"
    elif [[ -n $args && $args != file ]] && ((npos == 0 || repeat == 1)); then
        __ferry_reply -W "$(__ferry_names $args)"
    else
        compopt -o filenames 2>/dev/null
        __ferry_reply -f
    fi
    if [ -n "$colon" ] && [[ $COMP_WORDBREAKS == *:* ]]; then
        COMPREPLY=("${COMPREPLY[@]#"$colon"}")
    fi
    return 0
}

complete -F _ferry ferry
)SH";

}  // namespace

std::vector<CompletionNode> completion_nodes(const CommandDoc& root) {
    std::vector<CompletionNode> out;
    flatten(root, out);
    return out;
}

bool flag_takes_file(const FlagInfo& flag) {
    return flag.takes_value &&
           (flag.value_name == "file" || flag.name == "input" || flag.name == "output" ||
            flag.name == "cidfile" || flag.name.ends_with("-file"));
}

std::string shell_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string child_function(const std::vector<CompletionNode>& nodes) {
    std::string out =
        "# __ferry_child PATH WORD: the path of the command WORD names under PATH.\n"
        "__ferry_child() {\n    case \"$1/$2\" in\n";
    for (const auto& node : nodes)
        for (const auto& c : node.children)
            out += "    " + shell_quote(node.path + "/" + c.word) + ") echo " +
                   shell_quote(c.path) + " ;;\n";
    return out + "    *) return 1 ;;\n    esac\n}\n\n";
}

std::string bash_completion(const std::vector<CompletionNode>& nodes) {
    std::string out =
        "# bash completion for ferry, generated from its command and flag tables:\n"
        "#   source <(ferry completion bash)\n"
        "# or save it as /usr/share/bash-completion/completions/ferry.\n\n";
    out += child_function(nodes);
    out += "# __ferry_spec PATH: the subcommands, flags and arguments of the command at PATH.\n"
           "__ferry_spec() {\n"
           "    subs=\"\" bools=\"\" values=\"\" files=\"\" args=\"\" repeat=0 inter=1\n"
           "    case \"$1\" in\n";
    for (const auto& node : nodes) {
        std::string subs, bools, values, files;
        for (const auto& c : node.children) subs += (subs.empty() ? "" : " ") + c.word;
        for (const auto& f : node.flags) {
            std::string& list = f.takes_value ? values : bools;
            list += (list.empty() ? "" : " ") + flag_words(f);
            if (flag_takes_file(f)) files += (files.empty() ? "" : " ") + flag_words(f);
        }
        out += "    " + shell_quote(node.path) + ")\n";
        if (!subs.empty()) out += "        subs=" + shell_quote(subs) + "\n";
        out += "        bools=" + shell_quote(bools) + "\n";
        if (!values.empty()) out += "        values=" + shell_quote(values) + "\n";
        if (!files.empty()) out += "        files=" + shell_quote(files) + "\n";
        if (!node.args.empty()) out += "        args=" + shell_quote(node.args) + "\n";
        if (node.args_repeat) out += "        repeat=1\n";
        if (!node.interspersed) out += "        inter=0\n";
        out += "        ;;\n";
    }
    out += "    *) return 1 ;;\n    esac\n}\n";
    return out + std::string(k_bash_walker);
}

}  // namespace ferry::cli
