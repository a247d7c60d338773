// The zsh script: bash's data and walker in zsh's terms (words and CURRENT instead of
// COMP_WORDS, no splitting at = and :), with summaries shown beside subcommands and flags
// through _describe. It works both as an autoloaded _ferry in $fpath and sourced after compinit.

#include "ferry/cli/completion.hpp"

namespace ferry::cli {

namespace {

constexpr std::string_view k_zsh_walker = R"SH(
# __ferry_names KIND...: names of containers, images, volumes or networks, listed by ferry itself.
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

_ferry() {
    local cpath="" next w i npos=0 flags_done=0 help=0 args repeat inter prev=""
    local cur=$words[CURRENT]
    local -a subs opts values files names __ferry_cmd
    __ferry_cmd=($words[1])
    __ferry_spec ""
    for ((i = 2; i < CURRENT; i++)); do
        w=$words[i]
        if ((flags_done == 0)) && [[ $w == -?* ]]; then
            if [[ $w == -- ]]; then
                flags_done=1
            elif [[ $w != *=* ]] && ((${values[(Ie)$w]})) && ((i + 1 < CURRENT)); then
                [[ -n $cpath ]] || __ferry_cmd+=($w $words[i + 1])
                i=$((i + 1))
            elif [[ -z $cpath && $w == --*=* ]] && ((${values[(Ie)${w%%=*}]})); then
                __ferry_cmd+=($w)
            fi
            continue
        fi
        if [[ -z $cpath && $help == 0 && $w == help ]]; then
            help=1
            continue
        fi
        if next=$(__ferry_child "$cpath" "$w"); then
            cpath=$next
            __ferry_spec "$cpath"
            continue
        fi
        npos=$((npos + 1))
        ((inter == 1)) || flags_done=1
    done
    if [[ $cur == -*=* ]]; then
        prev=${cur%%=*}
        compset -P '*='
    elif ((CURRENT > 2 && flags_done == 0)) && ((${values[(Ie)$words[CURRENT - 1]]})); then
        prev=$words[CURRENT - 1]
    fi
    if [[ -n $prev ]]; then
        ((${files[(Ie)$prev]})) && _files
    elif ((help)); then
        _describe -t commands 'ferry command' subs
    elif ((flags_done == 0)) && [[ $cur == -* ]]; then
        _describe -t options 'option' opts
    elif ((${#subs})); then
        _describe -t commands 'ferry command' subs
    elif [[ -n $args && $args != file ]] && ((npos == 0 || repeat == 1)); then
        names=(${(f)"$(__ferry_names ${=args})"})
        compadd -a names
    else
        _files
    fi
}

if [[ $funcstack[1] == _ferry ]]; then
    _ferry "$@"
else
    compdef _ferry ferry
fi
)SH";

// "name:summary" for _describe (a colon in the name escaped).
// (no summary with Descriptions::no).
std::string described(const std::string& name, const std::string& summary, Descriptions d) {
    std::string out;
    for (char c : name) out += c == ':' ? std::string("\\:") : std::string(1, c);
    if (d == Descriptions::no) return shell_quote(out);
    std::string first_line = summary.substr(0, summary.find('\n'));
    return shell_quote(out + ":" + first_line);
}

}  // namespace

std::string zsh_completion(const std::vector<CompletionNode>& nodes, Descriptions d) {
    std::string out =
        "#compdef ferry\n"
        "# zsh completion for ferry, generated from its command and flag tables: save it as\n"
        "# _ferry in a directory of $fpath, or `source <(ferry completion zsh)` after compinit.\n\n";
    out += child_function(nodes);
    out += "# __ferry_spec PATH: the subcommands, flags and arguments of the command at PATH.\n"
           "__ferry_spec() {\n"
           "    subs=() opts=() values=() files=() args=\"\" repeat=0 inter=1\n"
           "    case \"$1\" in\n";
    for (const auto& node : nodes) {
        out += "    " + shell_quote(node.path) + ")\n";
        if (!node.children.empty()) {
            out += "        subs=(";
            for (const auto& c : node.children) out += "\n            " + described(c.word, c.summary, d);
            out += ")\n";
        }
        std::string opts, values, files;
        for (const auto& f : node.flags) {
            std::string words[2] = {f.short_name ? std::string("-") + f.short_name : "",
                                    "--" + f.name};
            for (const auto& w : words) {
                if (w.empty()) continue;
                opts += "\n            " + described(w, f.help, d);
                if (f.takes_value) values += " " + w;
                if (flag_takes_file(f)) files += " " + w;
            }
        }
        out += "        opts=(" + opts + ")\n";
        if (!values.empty()) out += "        values=(" + values.substr(1) + ")\n";
        if (!files.empty()) out += "        files=(" + files.substr(1) + ")\n";
        if (!node.args.empty()) out += "        args=" + shell_quote(node.args) + "\n";
        if (node.args_repeat) out += "        repeat=1\n";
        if (!node.interspersed) out += "        inter=0\n";
        out += "        ;;\n";
    }
    out += "    *) return 1 ;;\n    esac\n}\n";
    return out + std::string(k_zsh_walker);
}

}  // namespace ferry::cli
