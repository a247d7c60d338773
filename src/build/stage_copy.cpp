// See stage_builder.hpp: COPY, ADD and WORKDIR, written into a new layer directory.

#include "ferry/build/stage_builder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/build/add_archive.hpp"
#include "ferry/build/copy_from.hpp"
#include "ferry/build/layer_ops.hpp"
#include "ferry/build/path_match.hpp"
#include "ferry/build/side_sources.hpp"
#include "ferry/build/source_common.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/oci/digest.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

Result<void> StageBuilder::copy_step(const SourcesAndDest& paths, const CopyFlags& flags) {
    const char* keyword = flags.add ? "ADD" : "COPY";
    ShellEnv vars = m_state.variables();
    std::vector<std::string> expanded, written, urls;  // every source; the context's; URLs
    for (const auto& src : paths.sources) {
        std::string s = TRY(process_word(src, vars, m_state.escape));
        if (is_git_source(s)) {
            if (!flags.add) return fail("source can't be a git ref for COPY");
            return fail("ADD of a git repository is not supported yet");
        }
        if (is_url_source(s) && !flags.add) return fail("source can't be a URL for COPY");
        (is_url_source(s) ? urls : written).push_back(s);
        expanded.push_back(std::move(s));
    }
    if (!flags.checksum.empty()) {
        if (paths.sources.size() + paths.inline_sources.size() != 1)
            return fail("checksum can't be specified for multiple sources");
        if (urls.empty()) return fail("checksum requires HTTP(S) or Git sources");
        auto digest = Digest::parse(flags.checksum);
        if (!digest || digest->algorithm != "sha256") return fail("invalid checksum digest format");
    }
    // Here-documents expand as BuildKit's ExpandRaw: quotes are ordinary characters.
    std::vector<InlineFile> docs;
    for (const auto& doc : paths.inline_sources) {
        ShellOptions raw;
        raw.escape = '\\';
        raw.skip_quotes = true;
        docs.push_back(
            {doc.path, doc.expand ? TRY(expand_shell(doc.data, vars, raw)).word : doc.data});
    }
    SideSources side =
        TRY(gather_side_sources(m_store, urls, docs, m_hooks.download, flags.checksum));
    // COPY --from reads another image through a view of its layers, pinned meanwhile.
    std::optional<PinnedView> from_image_view;
    const runtime::LayerView* from_view = nullptr;
    FromImage from;
    if (!flags.from.empty()) {
        from = TRY(from_image(flags.from));
        from_image_view = TRY(view_of(from.id));
        from_view = &from_image_view->view;
    }
    CopyRequest request;
    for (const auto& s : written) {
        request.wildcard_or_many = request.wildcard_or_many || has_wildcards(s);
        auto resolved = from_view ? TRY(resolve_in_image(*from_view, s, flags.from))
                                  : TRY(m_context.resolve(s));
        request.sources.insert(request.sources.end(), resolved.begin(), resolved.end());
    }
    request.wildcard_or_many =
        request.wildcard_or_many || paths.sources.size() + paths.inline_sources.size() > 1;
    std::string dest = TRY(process_word(paths.dest, vars, m_state.escape));
    std::string workdir = m_state.image.config->working_dir;
    if (!dest.starts_with('/')) {
        bool slash = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
        dest = clean_path((workdir.empty() ? std::string("/") : workdir) + "/" + dest);
        if (slash && !dest.ends_with('/')) dest += '/';
    }
    request.dest = dest;
    std::string expanded_chown =
        flags.chown.empty() ? "" : TRY(process_word(flags.chown, vars, m_state.escape));
    if (!flags.chmod.empty()) request.chmod = TRY(parse_chmod(flags.chmod));
    std::string checksum = from_view ? TRY(image_sources_checksum(*from_view, request.sources))
                                     : TRY(m_context.checksum(request.sources));
    if (side.context) {
        checksum += "\nurls " + TRY(side.context->checksum(side.urls));
        checksum += "\ndocs " + TRY(side.context->checksum(side.docs));
    }

    std::string created_by = std::string(keyword);
    if (!flags.from.empty()) created_by += " --from=" + flags.from;
    if (!expanded_chown.empty()) created_by += " --chown=" + expanded_chown;
    if (!flags.chmod.empty()) created_by += " --chmod=" + flags.chmod;
    for (const auto& s : expanded)
        created_by += " " + s;
    for (const auto& doc : paths.inline_sources)
        created_by += " <<" + doc.path;
    created_by += " " + paths.dest + " # buildkit";
    HistoryEntry entry;
    entry.created_by = std::move(created_by);
    entry.comment = std::string(k_history_comment);
    m_state.image.history.push_back(std::move(entry));

    std::string key = step_key(
        std::string(keyword) + "\nfrom " + from.chain + "\n" + checksum + "\n" + request.dest +
        "\nchown " + expanded_chown + "\nchmod " + flags.chmod + "\nunpack " +
        (flags.unpack ? (*flags.unpack ? "1" : "0") : "-") + (flags.link ? "\nlink" : "") + "\n");
    if (TRY(reuse(key, true))) return {};
    // ADD unpacks local archives (and URLs' with --unpack) into dest instead of copying them.
    auto split_archives = [&](const BuildContext& where, std::vector<ResolvedSource>& sources,
                              std::vector<ArchiveSource>& archives) -> Result<void> {
        std::vector<ResolvedSource> files;
        for (auto& src : sources) {
            auto compression = TRY(archive_compression(where, src));
            if (compression)
                archives.push_back({std::move(src), *compression});
            else
                files.push_back(std::move(src));
        }
        sources = std::move(files);
        return {};
    };
    std::vector<ArchiveSource> archives, url_archives;
    if (flags.add && flags.unpack.value_or(true) && !from_view)
        TRY(split_archives(m_context, request.sources, archives));
    if (flags.add && flags.unpack.value_or(false) && side.context)
        TRY(split_archives(*side.context, side.urls, url_archives));
    std::string unpack_dir = request.dest.size() > 1 && request.dest.ends_with('/')
                                 ? request.dest.substr(0, request.dest.size() - 1)
                                 : request.dest;
    // With --link the layer is written as onto nothing (BuildKit's): the destination's parents
    // are made anew and no symlink of the image below is followed; --chown names still resolve
    // in the image.
    runtime::LayerView nothing = TRY(runtime::LayerView::open({}));
    return layer_step(key, [&](const runtime::LayerView& image, int upper) -> Result<void> {
        if (!expanded_chown.empty()) request.chown = TRY(resolve_chown(image, expanded_chown));
        const runtime::LayerView& view = flags.link ? nothing : image;
        for (const auto& archive : archives)
            TRY(unpack_into_layer(m_context, view, upper, archive, unpack_dir));
        if (from_view)
            TRY(copy_from_image(*from_view, view, upper, request));
        else if (!request.sources.empty())
            TRY(copy_into_layer(m_context, view, upper, request));
        if (!side.context) return {};
        for (const auto& archive : url_archives)
            TRY(unpack_into_layer(*side.context, view, upper, archive, unpack_dir));
        CopyRequest more = request;
        more.sources = side.urls;
        more.sources.insert(more.sources.end(), side.docs.begin(), side.docs.end());
        if (!more.sources.empty()) TRY(copy_into_layer(*side.context, view, upper, more));
        return {};
    });
}

Result<void> StageBuilder::workdir_step(const MakeWorkdir& dir) {
    std::string key = step_key("WORKDIR " + dir.path + "\nuser " + dir.user + "\n");
    {
        PinnedView parent = TRY(view_of(m_parent));
        auto found = TRY(parent.view.lookup(dir.path));
        if (found && S_ISDIR(found->st.st_mode)) {
            // Nothing to make: the step adds no layer, its history says so.
            m_state.image.history.back().empty_layer = true;
            return {};
        }
    }
    if (TRY(reuse(key, true))) return {};
    return layer_step(key, [&](const runtime::LayerView& view, int upper) -> Result<void> {
        CopyOwner owner;
        if (!dir.user.empty()) {
            auto user = TRY(resolve_user(view, dir.user));
            owner = {user.uid, user.gid};
        }
        return make_dir_in_layer(view, upper, dir.path, owner);
    });
}

}  // namespace ferry::build
