# DFS chaos (issue 13): the --kind master and --kind disk runs of chaos.sh,
# which sources this file after parsing its options and making the job's
# input (it uses $runs, $kind, $time_limit, $root, $bin, $scratch, $cluster,
# $input and $want; --input-mb sizes the master runs' job, 4 is plenty).
#
# --kind master: each run starts a mix of DFS operations at once in its own
#   directory, each started at a random moment of the first 2 s — puts of
#   new files (1 to 24 chunks), put -f over files of earlier runs, an rm and
#   an mv of others, and a word count job — and kills the master with
#   kill -9 at a random moment (0.1 to 3 s in), starting it
#   again 0.5 to 5 s later. Half of the DFS clients retry a master outage
#   for 1 s instead of 15, so that some writes fail midway.
# --kind disk: each run puts files and reads earlier ones while it damages
#   replicas under the running datanodes: a .data or .meta file deleted or
#   cut short (at most one replica of a chunk), or a datanode's disk filled
#   (dn-2-2's data directory is a 768 MiB tmpfs, left with 512 KiB free
#   until the run's operations end; filling needs root to mount it, else
#   that event becomes another deletion).
#
# After each run, once every lease is recovered (fsck lists no file open for
# writing), every file is checked against what was put to its path: it must
# be exact (complete, and bytes equal to a put that may have landed: the
# one that succeeded, or one that failed late), or visibly incomplete (ls and
# fsck say INCOMPLETE), or absent where a put or rm could have made it so —
# never complete with other bytes ("wrong"), and never gone after a
# successful put ("lost"). A job's output directory, if it exists, must be
# exact. Disk runs also wait until every damaged chunk has 3 whole replicas
# again (the damage noticed, the replica dropped and copied anew) and fsck
# says HEALTHY, and record how long after the damage that took. Contents are checked for the run's own files
# and a sample of earlier ones each run, and for every file at the end.
# Exit 0 only if nothing was wrong, lost or stuck.

dfs_dir=/chaos/dfs
files_dir="$scratch/files"
log_dir="$scratch/dfs-logs"
fill_mount="$cluster/dn-2-2/data"
fill_ok=0

dfs() { "$bin/mrdfs" --cluster "$cluster" "$@" 2>/dev/null; }
now_ms() { date +%s%3N; }
rand_between() { echo $(($1 + ((RANDOM << 15) | RANDOM) % ($2 - $1 + 1))); }  # Inclusive, < 2^30.
sleep_ms() { sleep "$(awk -v ms="$1" 'BEGIN { printf "%.3f", ms / 1000 }')"; }

stop_dfs_cluster() {
  "$bin/mrcluster" down --dir "$cluster" >/dev/null 2>&1 || true
  if mountpoint -q "$fill_mount" 2>/dev/null; then umount "$fill_mount" || true; fi
}

# ---- The cluster ----------------------------------------------------------------

stop_dfs_cluster
rm -rf "$cluster" "$files_dir" "$log_dir"
mkdir -p "$files_dir" "$log_dir"
trap stop_dfs_cluster EXIT
master_flags="--dfs_lease_timeout_ms=4000,--dfs_master_startup_grace_ms=3000"
datanode_flags="--dfs_datanode_register_backoff_max_ms=500"
up_args=(--dir "$cluster" --racks 2 --nodes-per-rack 2 --chunk-size 1048576
         "--master_flags=$master_flags" "--datanode_flags=$datanode_flags")
if [[ "$kind" == disk ]]; then
  up_args+=(--noscheduler)
  mkdir -p "$fill_mount"
  if mount -t tmpfs -o size=768m tmpfs "$fill_mount" 2>/dev/null; then
    fill_ok=1
  else
    echo "== cannot mount a tmpfs (not root?): no disk-full events, deletions instead"
  fi
fi
"$bin/mrcluster" up "${up_args[@]}" >/dev/null

[[ "$kind" == master ]] && dfs put "$input" /chaos/jobin/input.txt

# ---- What each path may hold ---------------------------------------------------
# allowed[P]: sums of the contents a put to P may have landed (space-separated);
# sure[P]=1: P must exist (a put succeeded and nothing touched it since);
# either: "P Q" pairs of which one must exist (a failed mv of a sure file);
# sizes of sums, to pick files to damage.
declare -A allowed=() sure=()
either=()
new_paths=()
sure_files=()  # Paths with sure=1, as of the last run's end.

# A local file of $1 bytes of random data: its path in $content, its
# sha256 in $sum.
new_content() {
  content="$files_dir/c-$RANDOM$RANDOM"
  head -c "$1" /dev/urandom >"$content"
  sum="$(sha256sum <"$content" | cut -d' ' -f1)"
}

# The sha256 of a DFS file's bytes, or "unreadable" if three reads fail.
dfs_sum() {
  local try out
  for ((try = 0; try < 3; try++)); do
    if out="$(set -o pipefail; dfs cat "$1" | sha256sum | cut -d' ' -f1)"; then
      echo "$out"
      return 0
    fi
    sleep 1
  done
  echo unreadable
}

# Lists every file under $1 as "path<TAB>type<TAB>under_construction<TAB>incomplete",
# walking directories with ls --json.
list_tree() {
  local pending=("$1") dir json
  while ((${#pending[@]} > 0)); do
    dir="${pending[-1]}"
    unset 'pending[-1]'
    json="$(dfs ls --json "$dir")" || continue
    while IFS=$'\t' read -r path type open incomplete; do
      [[ -z "$path" ]] && continue
      if [[ "$type" == dir ]]; then
        pending+=("$path")
      else
        printf '%s\t%s\t%s\t%s\n' "$path" "$type" "$open" "$incomplete"
      fi
    done < <(grep -o '{"path":"[^"]*","type":"[a-z]*"[^}]*}' <<<"$json" |
             sed 's/{"path":"\([^"]*\)","type":"\([a-z]*\)".*"under_construction":\([a-z]*\),"incomplete":\([a-z]*\)}/\1\t\2\t\3\t\4/')
  done
  return 0
}

# The target a put -f temporary file stands for (dir/.name.put-HEX -> dir/name).
target_of() {
  local base="${1##*/}"
  if [[ "$base" =~ ^\.(.*)\.put-[0-9a-f]{16}$ ]]; then echo "${1%/*}/${BASH_REMATCH[1]}"; else echo "$1"; fi
}

# Waits (at most 120 s) until no file is open for writing: every lease
# recovered. Returns 1 if some stay open.
wait_no_open_files() {
  local i report
  for ((i = 0; i < 240; i++)); do
    # Under $dfs_dir only: the RM and the job history keep files open. (fsck
    # exits 1 for incomplete files: its output is what counts here.)
    report="$(dfs fsck --json "$dfs_dir")" || true
    if [[ "$report" == *'"open_files":0,'* ]]; then return 0; fi
    sleep 0.5
  done
  return 1
}

# Checks every file under $dfs_dir: counts exact / incomplete / wrong, and
# lost sure files. Contents are read for paths matching $1 (a regex) and a
# random sample of 5 others; $2=all reads every file.
wrong=0 lost=0 stuck=0 incomplete_total=0 checked_total=0
verify() {
  local content_re="$1" mode="${2:-sample}" path type open inc target s pair a b
  local -A present=()
  local sampled=0 run_exact=0 run_incomplete=0 run_wrong=0 run_lost=0
  if ! wait_no_open_files; then
    echo "  STUCK: files still open for writing after 120 s:" \
         "$( (dfs fsck "$dfs_dir" || true) | grep 'open for writing, not checked' | head -5 |
             tr '\n' ' ')"
    stuck=$((stuck + 1))
  fi
  while IFS=$'\t' read -r path type open inc; do
    present["$path"]=1
    case "$path" in */.job-*.tmp-*/*|/.rm/*) continue ;; esac  # Job scratch, RM state.
    if [[ "$path" == "$dfs_dir"/*/job/* ]]; then continue; fi  # Checked as a job output.
    if [[ "$inc" == true ]]; then
      run_incomplete=$((run_incomplete + 1))
      continue
    fi
    if [[ "$open" == true ]]; then continue; fi  # Counted as stuck above.
    if [[ "$mode" != all && ! "$path" =~ $content_re ]]; then
      ((sampled < 5 && RANDOM % 4 == 0)) || continue
      sampled=$((sampled + 1))
    fi
    target="$(target_of "$path")"
    s="$(dfs_sum "$path")"
    checked_total=$((checked_total + 1))
    if [[ " ${allowed[$target]:-} " == *" $s "* ]]; then
      run_exact=$((run_exact + 1))
    elif [[ "$s" == unreadable ]]; then
      echo "  UNREADABLE: $path (complete, but three reads failed)"
      stuck=$((stuck + 1))
    else
      echo "  WRONG: $path is complete but holds none of the contents put to it"
      run_wrong=$((run_wrong + 1))
    fi
  done < <(list_tree "$dfs_dir")
  for path in "${!sure[@]}"; do
    if [[ "${sure[$path]}" == 1 && -z "${present[$path]:-}" ]]; then
      echo "  LOST: $path (its put succeeded)"
      run_lost=$((run_lost + 1))
    fi
  done
  for pair in "${either[@]}"; do
    read -r a b <<<"$pair"
    if [[ -z "${present[$a]:-}" && -z "${present[$b]:-}" ]]; then
      echo "  LOST: $a (an mv to $b failed, and neither exists)"
      run_lost=$((run_lost + 1))
    fi
  done
  wrong=$((wrong + run_wrong))
  lost=$((lost + run_lost))
  incomplete_total=$run_incomplete
  verdict_counts="exact $run_exact, incomplete $run_incomplete, wrong $run_wrong, lost $run_lost"
}

# Picks $1 distinct sure files of earlier runs into ${picked[@]}.
pick_sure() {
  picked=()
  local n="$1" i j tries=0
  while ((${#picked[@]} < n && ${#sure_files[@]} > 0 && tries < 50)); do
    tries=$((tries + 1))
    j="${sure_files[RANDOM % ${#sure_files[@]}]}"
    [[ "${sure[$j]:-0}" == 1 ]] || continue
    for i in "${picked[@]}"; do [[ "$i" == "$j" ]] && continue 2; done
    picked+=("$j")
  done
  return 0
}

# The client flags of one DFS operation: half of them retry a master outage
# for 1 s only instead of 15, so that outages fail some writes midway. All
# renew their leases every second: the master's lease here is 4 s (the
# defaults are 60 s and a renewal every 10 s), and a live writer must keep
# it.
client_flags() {
  local flags="--dfs_client_lease_renew_interval_ms=1000"
  if ((RANDOM % 2)); then flags+=" --dfs_client_master_retry_ms=1000"; fi
  echo "$flags"
}

# Starts $2 puts of new files (0.5 to $3 MiB of random bytes) into $1 as ops
# put-0, put-1, ...; their paths in ${new_paths[@]}.
start_new_puts() {
  local dir="$1" n="$2" max_mb="$3" i
  new_paths=()
  for ((i = 0; i < n; i++)); do
    new_content "$(rand_between $((512 << 10)) $((max_mb << 20)))"
    new_paths+=("$dir/new-$i")
    allowed["$dir/new-$i"]="$sum"
    start_op "put-$i" "$bin/mrdfs" --cluster "$cluster" $(client_flags) put "$content" \
      "$dir/new-$i"
  done
}

# After start_new_puts' ops ended: the ones that succeeded must exist.
# Adds to $ok and $failed.
note_new_puts() {
  local i
  for ((i = 0; i < ${#new_paths[@]}; i++)); do
    if [[ "$(op_rc "put-$i")" == 0 ]]; then
      sure["${new_paths[i]}"]=1
      ok=$((ok + 1))
    else
      failed=$((failed + 1))
    fi
  done
}

# Runs "$@" in the background after a random 0 to 2 s (so that the kill
# finds operations starting, running and done), its output in
# $log_dir/r<run>-<name>.out and its exit code in .rc.
op_pids=()
start_op() {
  local name="$1" delay
  shift
  delay="$(awk -v ms="$(rand_between 0 2000)" 'BEGIN { printf "%.3f", ms / 1000 }')"
  ( sleep "$delay"; rc=0; timeout 300 "$@" >"$log_dir/r$run-$name.out" 2>&1 || rc=$?
    echo "$rc" >"$log_dir/r$run-$name.rc" ) &
  op_pids+=($!)
}
op_rc() { cat "$log_dir/r$run-$1.rc" 2>/dev/null || echo 99; }

refresh_sure_files() {
  local p
  sure_files=()
  for p in "${!sure[@]}"; do [[ "${sure[$p]}" == 1 ]] && sure_files+=("$p"); done
  return 0
}

# ---- One run of each kind -----------------------------------------------------

master_run() {
  local run="$1" dir="$dfs_dir/r$1" i path kill_at down_ms
  op_pids=()
  local -a force_paths=() force_sums=()
  dfs mkdir "$dir"
  start_new_puts "$dir" 6 24
  pick_sure 4
  local -a victims=("${picked[@]}")
  for ((i = 0; i < ${#victims[@]} && i < 2; i++)); do
    path="${victims[i]}"
    new_content "$(rand_between $((256 << 10)) $((4 << 20)))"
    force_paths+=("$path")
    force_sums+=("$sum")
    allowed["$path"]="${allowed[$path]} $sum"
    start_op "force-$i" "$bin/mrdfs" --cluster "$cluster" $(client_flags) put -f "$content" \
      "$path"
  done
  local rm_path="" mv_src="" mv_dst="$dir/moved"
  ((${#victims[@]} > 2)) && rm_path="${victims[2]}"
  ((${#victims[@]} > 3)) && mv_src="${victims[3]}"
  [[ -n "$rm_path" ]] && start_op rm "$bin/mrdfs" --cluster "$cluster" $(client_flags) rm \
    "$rm_path"
  if [[ -n "$mv_src" ]]; then
    allowed["$mv_dst"]="${allowed[$mv_src]}"
    start_op mv "$bin/mrdfs" --cluster "$cluster" $(client_flags) mv "$mv_src" "$mv_dst"
  fi
  start_op job "$bin/mrjob" --cluster "$cluster" submit --binary "$bin/wordcount" \
    --input /chaos/jobin --output "$dir/job" --reducers 2
  # The kill: 0.1 to 3 s in (the operations start over the first 2 s), the
  # master down 0.5 to 5 s.
  kill_at=$(rand_between 100 3000)
  down_ms=$(rand_between 500 5000)
  sleep_ms "$kill_at"
  local ops_done pid
  ops_done="$(find "$log_dir" -name "r$run-*.rc" | wc -l)"
  local ops_running=$((${#op_pids[@]} - ops_done))
  "$bin/mrcluster" kill --dir "$cluster" master >/dev/null 2>&1
  sleep_ms "$down_ms"
  "$bin/mrcluster" start --dir "$cluster" master >/dev/null 2>&1 ||
    echo "  master did not come back (see $cluster/master/log)"
  for pid in "${op_pids[@]}"; do wait "$pid" || true; done

  # What the outcomes allow.
  ok=0 failed=0
  note_new_puts
  for ((i = 0; i < ${#force_paths[@]}; i++)); do
    if [[ "$(op_rc "force-$i")" == 0 ]]; then
      allowed["${force_paths[i]}"]="${force_sums[i]}"  # The new bytes, nothing else.
      ok=$((ok + 1))
    else
      failed=$((failed + 1))
    fi
  done
  if [[ -n "$rm_path" ]]; then
    sure["$rm_path"]=0
    if [[ "$(op_rc rm)" == 0 ]]; then allowed["$rm_path"]=""; ok=$((ok + 1)); else failed=$((failed + 1)); fi
  fi
  if [[ -n "$mv_src" ]]; then
    sure["$mv_src"]=0
    if [[ "$(op_rc mv)" == 0 ]]; then
      allowed["$mv_src"]=""
      sure["$mv_dst"]=1
      ok=$((ok + 1))
    else
      either+=("$mv_src $mv_dst")
      failed=$((failed + 1))
    fi
  fi
  local job_rc job_verdict
  job_rc="$(op_rc job)"
  if [[ "$job_rc" == 0 ]]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
  # The job's output: exact if it exists (a job that succeeded must have one).
  if dfs stat "$dir/job" >/dev/null; then
    if diff -q <({ dfs cat "$dir/job/part-r-00000"; dfs cat "$dir/job/part-r-00001"; } | LC_ALL=C sort) \
         <(LC_ALL=C sort "$want") >/dev/null && dfs stat "$dir/job/_SUCCESS" >/dev/null; then
      job_verdict="job output exact"
    else
      job_verdict="JOB OUTPUT WRONG"
      wrong=$((wrong + 1))
    fi
  elif [[ "$job_rc" == 0 ]]; then
    job_verdict="JOB OUTPUT LOST"
    lost=$((lost + 1))
  else
    job_verdict="job failed, no output"
  fi
  verify "^$dir/"
  refresh_sure_files
  total_ok=$((total_ok + ok)) total_failed=$((total_failed + failed))
  ((ops_running > 0)) && mid_runs=$((mid_runs + 1))
  echo "run $run: kill -9 of the master ${kill_at} ms in ($ops_running of ${#op_pids[@]} ops running or to start), down ${down_ms} ms;" \
       "ops ok $ok, failed $failed; $job_verdict; files: $verdict_counts"
}

# Whether chunk $2 of file $1 is whole again: 3 replicas on the master,
# each one's data and meta files on its datanode's disk of the right sizes.
chunk_whole() {
  local json chunk length nodes node base
  json="$(dfs stat --json "$1")" || return 1
  chunk="$(grep -o "\"chunk_id\":$2,\"generation\":[0-9]*,\"offset\":[0-9]*,\"length\":[0-9]*,\"replicas\":\[[^]]*\]" <<<"$json")" ||
    return 1
  length="$(sed 's/.*"length":\([0-9]*\).*/\1/' <<<"$chunk")"
  base="$2_$(sed 's/.*"generation":\([0-9]*\).*/\1/' <<<"$chunk")"
  nodes=($(grep -o '"node":"[^"]*"' <<<"$chunk" | sed 's/"node":"\(.*\)"/\1/'))
  ((${#nodes[@]} == 3)) || return 1
  for node in "${nodes[@]}"; do
    [[ "$(stat -c %s "$cluster/$node/data/chunks/$base.data" 2>/dev/null)" == "$length" ]] || return 1
    [[ "$(stat -c %s "$cluster/$node/data/chunks/$base.meta" 2>/dev/null)" == \
       "$((20 + 8 * ((length + 65535) / 65536)))" ]] || return 1
  done
}

# Damages one replica file of a random chunk of a random earlier file, a
# chunk not damaged yet this run. Sets $event; adds "path chunk_id time_ms"
# to ${damages[@]}.
damaged_chunks=" "
damages=()
damage_one() {
  local what="$1" path chunk node file line tries
  for ((tries = 0; tries < 20; tries++)); do
    pick_sure 1
    ((${#picked[@]} == 1)) || break
    path="${picked[0]}"
    line="$(dfs stat --json "$path" | grep -o '"chunk_id":[0-9]*,"generation":[0-9]*,[^]]*"node":"[^"]*"' |
            shuf -n 1 --random-source=<(yes "$RANDOM"))" || true
    [[ -n "$line" ]] || continue
    chunk="$(sed 's/"chunk_id":\([0-9]*\),"generation":\([0-9]*\).*/\1_\2/' <<<"$line")"
    [[ "$damaged_chunks" == *" ${chunk%_*} "* ]] && continue
    node="$(grep -o '"node":"[^"]*"' <<<"$line" | sed 's/"node":"\(.*\)"/\1/' |
            shuf -n 1 --random-source=<(yes "$RANDOM"))" || true
    case "$what" in
      del-data|trunc-data) file="$cluster/$node/data/chunks/$chunk.data" ;;
      *) file="$cluster/$node/data/chunks/$chunk.meta" ;;
    esac
    [[ -f "$file" ]] || continue
    damaged_chunks+="${chunk%_*} "
    case "$what" in
      del-*) rm -f "$file" ;;
      trunc-*) truncate -s "$(($(stat -c %s "$file") / 2))" "$file" ;;
    esac
    damages+=("$path ${chunk%_*} $(now_ms)")
    event="$what of chunk $chunk on $node ($path)"
    return 0
  done
  event="$what: no replica to damage"
}

disk_run() {
  local run="$1" dir="$dfs_dir/r$1" i t0 healed_ms events=() kinds report
  op_pids=()
  damaged_chunks=" "
  damages=()
  dfs mkdir "$dir"
  start_new_puts "$dir" 3 6
  # Reads of earlier files while the disks go bad: exact bytes or an error.
  pick_sure 2
  local -a readers=("${picked[@]}")
  for ((i = 0; i < ${#readers[@]}; i++)); do
    start_op "read-$i" bash -c "set -o pipefail; '$bin/mrdfs' --cluster '$cluster' cat \
      '${readers[i]}' 2>/dev/null | sha256sum | cut -d' ' -f1"
  done
  kinds=(del-data trunc-data del-meta trunc-meta fill)
  local filled=0 what
  for ((i = 0; i < 2; i++)); do
    sleep_ms "$(rand_between 0 800)"
    what="${kinds[RANDOM % 5]}"
    if [[ "$what" == fill && ( "$fill_ok" != 1 || "$filled" == 1 ) ]]; then what=del-data; fi
    if [[ "$what" == fill ]]; then
      local free_kb
      free_kb="$(df -k --output=avail "$fill_mount" | tail -1)"
      fallocate -l "$(((free_kb - 512) * 1024))" "$fill_mount/filler" 2>/dev/null ||
        dd if=/dev/zero of="$fill_mount/filler" bs=1M count=$((free_kb / 1024)) 2>/dev/null || true
      filled=1
      event="dn-2-2's disk filled ($(df -k --output=avail "$fill_mount" | tail -1 | tr -d " ") KiB left)"
    else
      damage_one "$what"
    fi
    events+=("$event")
  done
  for pid in "${op_pids[@]}"; do wait "$pid" || true; done
  [[ "$filled" == 1 ]] && rm -f "$fill_mount/filler"
  local bad_reads=0
  ok=0 failed=0
  note_new_puts
  for ((i = 0; i < ${#readers[@]}; i++)); do
    local got
    got="$(tail -1 "$log_dir/r$run-read-$i.out" 2>/dev/null)" || true
    if [[ "$(op_rc "read-$i")" != 0 ]]; then
      echo "  read of ${readers[i]} failed during the damage (an error, not wrong bytes)"
      failed=$((failed + 1))
    elif [[ " ${allowed[${readers[i]}]} " != *" $got "* ]]; then
      echo "  READ WRONG: ${readers[i]} read back other bytes during the damage"
      bad_reads=$((bad_reads + 1))
    else
      ok=$((ok + 1))
    fi
  done
  wrong=$((wrong + bad_reads))
  # Every damaged chunk whole again (noticed, dropped and re-replicated),
  # then fsck HEALTHY; at most 60 s.
  local damage path chunk at healed=1 worst=0
  for damage in "${damages[@]}"; do
    read -r path chunk at <<<"$damage"
    for ((i = 0; i < 120; i++)); do
      chunk_whole "$path" "$chunk" && break
      sleep 0.5
    done
    if ((i == 120)); then
      echo "  STUCK: chunk $chunk of $path not back at 3 whole replicas 60 s after its damage"
      healed=0
    else
      worst=$(($(now_ms) - at > worst ? $(now_ms) - at : worst))
    fi
  done
  ((${#damages[@]} > 0 && healed == 1)) && heal_times+=("$worst")
  healed_ms="$worst"
  ((healed == 1)) || healed_ms="(never)"
  for ((i = 0; i < 120; i++)); do
    report="$(dfs fsck /)" || true
    [[ $'\n'"$report" == *$'\nstatus: HEALTHY\n'* ]] && break
    sleep 0.5
  done
  if ((i == 120 || healed == 0)); then
    echo "  STUCK: fsck not HEALTHY 60 s after the run"
    stuck=$((stuck + 1))
  fi
  verify "^$dir/"
  refresh_sure_files
  total_ok=$((total_ok + ok)) total_failed=$((total_failed + failed))
  echo "run $run: $(IFS=';'; echo "${events[*]}"); puts ok $ok, failed $failed;" \
       "damaged chunks whole again ${healed_ms} ms after the damage; files: $verdict_counts"
}

# ---- The runs -------------------------------------------------------------------

heal_times=()
total_ok=0 total_failed=0 mid_runs=0
started=$(date +%s)
done_runs=0
if [[ "$kind" == disk ]]; then
  # Files to damage from the first run on.
  dfs mkdir "$dfs_dir/r0"
  for ((i = 0; i < 6; i++)); do
    new_content $(((i + 1) << 20))
    allowed["$dfs_dir/r0/base-$i"]="$sum"
    dfs put "$content" "$dfs_dir/r0/base-$i" && sure["$dfs_dir/r0/base-$i"]=1
  done
  refresh_sure_files
fi
for ((run = 1; run <= runs; run++)); do
  if (($(date +%s) - started > time_limit)); then
    echo "== time limit reached after $done_runs runs"
    break
  fi
  if [[ "$kind" == master ]]; then master_run "$run"; else disk_run "$run"; fi
  done_runs=$((done_runs + 1))
done
echo "== final check of every file"
verify "" all
summary="runs $done_runs"
[[ "$kind" == master ]] && summary+=" ($mid_runs killed with operations running)"
summary+=", operations ok $total_ok, failed $total_failed; at the end: $verdict_counts;"
summary+=" contents checked $checked_total; wrong $wrong, lost $lost, stuck $stuck"
if ((${#heal_times[@]} > 0)); then
  sorted=($(printf '%s\n' "${heal_times[@]}" | sort -n))
  summary+=", damaged chunks whole again after median ${sorted[$((${#sorted[@]} / 2))]} ms"
  summary+=" (max ${sorted[-1]} ms)"
fi
echo "== $summary"
((wrong == 0 && lost == 0 && stuck == 0))
