// The host's ps is the only program ferry runs for top, and it runs on the host, as docker's
// daemon runs it: nothing of the container's is executed. Its stdout and stderr are read
// together (poll) so that neither pipe can fill while the other is read.

#include "ferry/runtime/host_ps.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "ferry/util/fd.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// Go's strings.FieldsFunc on ASCII white space.
std::vector<std::string> fields_ascii(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    auto space = [](char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; };
    while (i < s.size()) {
        while (i < s.size() && space(s[i])) ++i;
        size_t start = i;
        while (i < s.size() && !space(s[i])) ++i;
        if (i > start) out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

// The row of fields with the last column holding the rest (docker's appendProcess2ProcList).
std::vector<std::string> row_of(const std::vector<std::string>& fields, size_t titles) {
    if (titles == 0) return {};
    std::vector<std::string> row(fields.begin(),
                                 fields.begin() + std::min(fields.size(), titles - 1));
    std::vector<std::string> rest(fields.begin() + std::min(fields.size(), titles - 1),
                                  fields.end());
    row.push_back(join(rest, " "));
    return row;
}

struct Ran {
    int status = 0;
    std::string out, err;
};

// Runs ps with args, collecting its output.
Result<Ran> run_ps(const std::vector<std::string>& args) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd out_r(out[0]), out_w(out[1]);
    if (::pipe2(err, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd err_r(err[0]), err_w(err[1]);
    std::vector<std::string> argv_s = {"ps"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t child = ::fork();
    if (child < 0) return fail_errno("fork");
    if (child == 0) {
        ::dup2(out_w.get(), 1);
        ::dup2(err_w.get(), 2);
        ::execvp("ps", argv.data());
        ::dprintf(2, "exec: \"ps\": executable file not found in $PATH\n");
        ::_exit(127);
    }
    out_w.reset();
    err_w.reset();
    Ran ran;
    pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
    std::string* into[2] = {&ran.out, &ran.err};
    int open = 2;
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !fds[i].revents) continue;
            char buf[65536];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fds[i].fd = -1;
                --open;
                continue;
            }
            into[i]->append(buf, static_cast<size_t>(n));
        }
    }
    while (::waitpid(child, &ran.status, 0) < 0 && errno == EINTR) {
    }
    return ran;
}

}  // namespace

Result<void> check_ps_args(std::string_view a) {
    // \s+([^\s]*)=\s*(PID[^\s]*), every match.
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    for (size_t i = 0; i < a.size(); ++i) {
        if (!space(a[i]) || (i > 0 && space(a[i - 1]))) continue;
        size_t k = i;
        while (k < a.size() && space(a[k])) ++k;
        size_t key_start = k;
        while (k < a.size() && !space(a[k]) && a[k] != '=') ++k;
        if (k >= a.size() || a[k] != '=') continue;
        std::string_view key = a.substr(key_start, k - key_start);
        size_t v = k + 1;
        while (v < a.size() && space(a[v])) ++v;
        if (a.substr(v, 3) != "PID") continue;
        size_t end = v;
        while (end < a.size() && !space(a[end])) ++end;
        if (key != "pid")
            return fail("specifying \"" + std::string(key) + "=" +
                        std::string(a.substr(v, end - v)) + "\" is not allowed");
    }
    return {};
}

Result<PsTable> parse_ps_output(std::string_view output, const std::vector<pid_t>& pids) {
    PsTable table;
    auto lines = split(output, '\n');
    table.titles = fields_ascii(lines.empty() ? "" : lines.front());
    auto pid_at = std::find(table.titles.begin(), table.titles.end(), "PID");
    if (pid_at == table.titles.end()) return fail("Couldn't find PID field in ps output");
    size_t pid_index = static_cast<size_t>(pid_at - table.titles.begin());
    bool previous_kept = false;
    for (size_t i = 1; i < lines.size(); ++i) {
        if (lines[i].empty()) continue;
        auto fields = fields_ascii(lines[i]);
        if (fields.size() <= pid_index) continue;
        if (fields[pid_index] == "-") {
            if (previous_kept) table.rows.push_back(row_of(fields, table.titles.size()));
            continue;
        }
        auto pid = parse_i64(fields[pid_index]);
        if (!pid)
            return fail("Unexpected pid '" + fields[pid_index] + "': strconv.Atoi: parsing \"" +
                        fields[pid_index] + "\": invalid syntax");
        previous_kept = std::find(pids.begin(), pids.end(), static_cast<pid_t>(*pid)) != pids.end();
        if (previous_kept) table.rows.push_back(row_of(fields, table.titles.size()));
    }
    return table;
}

Result<PsTable> host_ps(std::string_view ps_args, const std::vector<pid_t>& pids) {
    TRY(check_ps_args(ps_args));
    auto args = split(ps_args, ' ');
    std::string selected = "-q";
    for (size_t i = 0; i < pids.size(); ++i)
        selected += (i ? "," : "") + std::to_string(pids[i]);
    auto with_pids = args;
    with_pids.push_back(selected);
    Ran ran = TRY(run_ps(with_pids));
    if (ran.status != 0) {
        ran = TRY(run_ps(args));
        if (ran.status != 0) {
            std::string first = ran.err.substr(0, ran.err.find('\n'));
            if (first.empty()) first = "exit status " + std::to_string(WEXITSTATUS(ran.status));
            return fail("ps: " + first);
        }
    }
    return parse_ps_output(ran.out, pids);
}

}  // namespace ferry::runtime
