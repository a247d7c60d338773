// Roff for the man pages. Each page: NAME, SYNOPSIS, DESCRIPTION (the summary and the command's
// help notes), ALIASES, OPTIONS (the flag table --help prints, --help itself left out), COMMANDS
// for ferry and the management commands, SEE ALSO. Text is escaped, never interpreted: a
// leading dot or quote cannot become a request. Paragraphs of the help notes stay paragraphs;
// their indented lines (examples) are kept as they are, in no-fill blocks.

#include "ferry/cli/man_page.hpp"

#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// "ferry-image-ls" for {"image", "ls"}.
std::string page_name(const CommandDoc& doc) {
    std::string out = "ferry";
    for (const auto& p : doc.path) out += "-" + p;
    return out;
}

// A bold name with its dashes as roff minus signs (\-), which man keeps as typed.
std::string bold(std::string_view text) {
    std::string out = "\\fB";
    for (char c : roff_escape(text)) out += c == '-' ? std::string("\\-") : std::string(1, c);
    return out + "\\fR";
}

// The help notes: paragraphs split at blank lines; lines indented by a tab or spaces kept in
// no-fill blocks.
std::string paragraphs(const std::string& text) {
    std::string out;
    bool nofill = false;
    for (const auto& line : split(text, '\n')) {
        const bool indented = !line.empty() && (line[0] == '\t' || line[0] == ' ');
        if (line.empty()) {
            if (nofill) out += ".fi\n";
            nofill = false;
            out += ".PP\n";
            continue;
        }
        if (indented && !nofill) out += ".nf\n";
        if (!indented && nofill) out += ".fi\n";
        nofill = indented;
        out += roff_escape(std::string(trim(line))) + "\n";
    }
    return out + (nofill ? ".fi\n" : "");
}

std::string options_section(std::span<const FlagInfo> flags) {
    if (flags.empty()) return "";
    std::string out = ".SH OPTIONS\n";
    for (const auto& f : flags) {
        out += ".TP\n";
        if (f.short_name) out += bold(std::string("-") + f.short_name) + ", ";
        out += bold("--" + f.name);
        if (f.takes_value) out += " \\fI" + roff_escape(f.value_name) + "\\fR";
        if (f.optional_value) out += "[=\\fI" + roff_escape(f.value_name) + "\\fR]";
        out += "\n";
        for (const auto& line : split(f.help, '\n')) out += roff_escape(line) + "\n.br\n";
        out.resize(out.size() - 4);  // no break after the last line
    }
    return out;
}

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

std::string page(const CommandDoc& doc, const CommandDoc* parent, const std::string& version) {
    std::string name = page_name(doc);
    std::string out = ".TH \"" + upper(name) + "\" \"1\" \"\" \"ferry " + version +
                      "\" \"Ferry Manual\"\n.SH NAME\n" + bold(name) + " \\- " +
                      roff_escape(split(doc.summary, '\n')[0]) + "\n.SH SYNOPSIS\n";
    std::string usage = doc.flags ? doc.flags->usage
                        : doc.path.empty() ? "[OPTIONS] COMMAND"
                                           : "COMMAND";
    out += bold(doc.full_name()) + (usage.empty() ? "" : " " + roff_escape(usage)) + "\n";
    out += ".SH DESCRIPTION\n" + paragraphs(doc.summary);
    if (doc.flags && !doc.flags->details.empty()) out += ".PP\n" + paragraphs(doc.flags->details);
    if (doc.flags && !doc.flags->aliases.empty())
        out += ".SH ALIASES\n" + roff_escape(doc.flags->aliases) + "\n";
    if (doc.path.empty()) {
        out += options_section(global_flags());
    } else if (doc.flags) {
        out += options_section(doc.flags->flags);
    }
    if (!doc.subs.empty()) {
        out += ".SH COMMANDS\n";
        for (const auto& sub : doc.subs)
            out += ".TP\n" + bold(page_name(sub)) + "(1)\n" + roff_escape(sub.summary) + "\n";
    }
    if (doc.path.empty()) {
        out += ".SH ENVIRONMENT\n.TP\n" + bold("FERRY_ROOT") +
               "\nThe store location when --root is not given.\n";
    }
    if (!parent) return out;
    out += ".SH SEE ALSO\n" + bold(page_name(*parent)) + "(1)";
    if (!parent->path.empty()) out += ", " + bold("ferry") + "(1)";
    return out + "\n";
}

void collect(const CommandDoc& doc, const CommandDoc* parent, const std::string& version,
             std::vector<std::pair<std::string, std::string>>& out) {
    out.emplace_back(page_name(doc) + ".1", page(doc, parent, version));
    for (const auto& sub : doc.subs) collect(sub, &doc, version, out);
}

}  // namespace

std::string roff_escape(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\')
            out += "\\e";
        else
            out += c;
        line_start = c == '\n';
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> man_pages(const CommandDoc& root,
                                                           const std::string& version) {
    std::vector<std::pair<std::string, std::string>> out;
    collect(root, nullptr, version, out);
    return out;
}

}  // namespace ferry::cli
