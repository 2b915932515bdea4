#!/usr/bin/env python3
"""An independent NumPy implementation of witan.send's model, for checking and benchmarking Waymark's.

Written from witan.send's published model (params.clj, states.clj, model/run.clj), not from Waymark's
Rust code: states are string-keyed dicts, and simulations are vectorised across runs (one NumPy array
of N counts per state), which is how NumPy is fast.

    python3 witan_send.py INPUTS_DIR --expected              # exact expectation, totals as CSV
    python3 witan_send.py INPUTS_DIR --simulations 1000 --years 5 --seed 1   # prints timing
"""
import argparse
import csv
import os
import sys
import time
from collections import defaultdict

import numpy as np

NONSEND = "NONSEND"
MIN_AY, MAX_AY = -4, 21  # witan.send constants/academic-years


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load(d):
    vs = read(os.path.join(d, "valid-states.csv"))
    tr = read(os.path.join(d, "transitions.csv"))
    pop = read(os.path.join(d, "population.csv"))
    costs = read(os.path.join(d, "costs.csv"))
    valid = []  # list of (ay, "need-setting")
    moves_to = {}
    for r in vs:
        moves_to[r["setting"]] = [s for s in r["setting->setting"].split(",") if s]
        for n in r["needs"].split(","):
            for ay in range(int(r["min-academic-year"]), int(r["max-academic-year"]) + 1):
                valid.append((ay, n + "-" + r["setting"]))
    lo = min(int(r["min-academic-year"]) for r in vs)
    hi = max(int(r["max-academic-year"]) for r in vs)
    year_settings = {
        ay: {r["setting"] for r in vs if int(r["min-academic-year"]) <= ay <= int(r["max-academic-year"])}
        for ay in range(lo, hi + 1)
    }
    trans = []
    for r in tr:
        s1 = NONSEND if NONSEND in (r["setting-1"], r["need-1"]) else r["need-1"] + "-" + r["setting-1"]
        s2 = NONSEND if NONSEND in (r["setting-2"], r["need-2"]) else r["need-2"] + "-" + r["setting-2"]
        trans.append((int(r["calendar-year"]), int(r["academic-year-1"]), s1, int(r["academic-year-2"]), s2))
    population = {(int(r["calendar-year"]), int(r["academic-year"])): round(float(r["population"])) for r in pop}
    cost = {r["need"] + "-" + r["setting"]: float(r["cost"]) for r in costs}
    return valid, moves_to, year_settings, trans, population, cost


def setting_of(state):
    return state.split("-", 1)[1]


def need_of(state):
    return state.split("-", 1)[0]


def params(valid, moves_to, trans, population):
    ays = sorted({ay for ay, _ in valid})
    validset = set(valid)

    def beta_params(pred_alpha, include):
        obs = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
        for cy, ay1, s1, ay2, s2 in trans:
            if include(s1, s2):
                obs[ay1][s1][0 if pred_alpha(s1, s2) else 1] += 1
        prior = {}
        for ay, states in obs.items():
            a = sum(v[0] for v in states.values()) + 0.5
            b = sum(v[1] for v in states.values()) + 0.5
            prior[ay] = (a / (a + b), b / (a + b))
        out = {}
        for ay, st in valid:
            if ay in prior:
                o = obs[ay].get(st, [0.0, 0.0]) if ay in obs else [0.0, 0.0]
                out[(ay, st)] = (prior[ay][0] + o[0], prior[ay][1] + o[1])
        return out

    leave = beta_params(lambda s1, s2: s2 == NONSEND, lambda s1, s2: s1 != NONSEND)
    move = beta_params(lambda s1, s2: setting_of(s1) != setting_of(s2),
                       lambda s1, s2: s1 != NONSEND and s2 != NONSEND)
    move = {k: v for k, v in move.items() if len(moves_to[setting_of(k[1])]) > 1}

    movers = [(ay1, s1, s2) for cy, ay1, s1, ay2, s2 in trans
              if s1 != NONSEND and s2 != NONSEND and setting_of(s1) != setting_of(s2)]
    obs = defaultdict(lambda: defaultdict(float))
    per_ay = defaultdict(lambda: defaultdict(float))
    for ay, s1, s2 in movers:
        obs[(ay, s1)][s2] += 1
        per_ay[ay][setting_of(s2)] += 1
    for ay in ays:
        if ay not in per_ay and (ay - 1) in per_ay:
            per_ay[ay] = per_ay[ay - 1]
    settings_for = defaultdict(set)
    for ay, st in valid:
        settings_for[(ay, need_of(st))].add(setting_of(st))
    dest = {}
    for ay, st in valid:
        need, setting = need_of(st), setting_of(st)
        allowed = [s for s in moves_to[setting] if s in settings_for[(ay, need)]]
        prior = {s: 1.0 / len(allowed) for s in allowed}
        for s, c in per_ay.get(ay, {}).items():
            prior[s] = prior.get(s, 0.0) + c
        prior.pop(setting, None)
        total = sum(prior.values())
        d = {need + "-" + s: v / total for s, v in prior.items()} if total > 0 else {}
        for k, c in obs.get((ay, st), {}).items():
            d[k] = d.get(k, 0.0) + c
        dest[(ay, st)] = {k: v for k, v in d.items() if v > 0}

    joiners_cy = defaultdict(lambda: defaultdict(float))
    joiner_obs = defaultdict(lambda: defaultdict(float))
    for cy, ay1, s1, ay2, s2 in trans:
        if s1 == NONSEND and s2 != NONSEND:
            joiners_cy[cy][ay2] += 1
            joiner_obs[ay2][s2] += 1
    n = len(joiners_cy)
    join = {}
    for ay in ays:
        a = b = 0.0
        seen = False
        for cy, by in joiners_cy.items():
            if ay in by:
                j, p = by[ay], population[(cy, ay)]
                a += j / n
                b += (p - j) / n
                seen = True
        if not seen or ay not in joiner_obs:
            continue
        at = [st for y, st in valid if y == ay]
        d = {st: 1.0 / len(at) for st in at}
        for st, c in joiner_obs[ay].items():
            d[st] = d.get(st, 0.0) + c
        join[ay] = ((a, b), d)
    return leave, move, dest, join, validset


def can_move(moves_to, year_settings, year, setting):
    return len(moves_to[setting]) > 1 and len(year_settings.get(year + 1, set()) - {setting}) > 0


def setup(d):
    valid, moves_to, year_settings, trans, population, cost = load(d)
    leave, move, dest, join, validset = params(valid, moves_to, trans, population)
    last = max(t[0] for t in trans)
    initial = defaultdict(float)
    for cy, ay1, s1, ay2, s2 in trans:
        if cy == last and s2 != NONSEND:
            initial[(ay2, s2)] += 1
    return dict(moves_to=moves_to, year_settings=year_settings, population=population, cost=cost,
                leave=leave, move=move, dest=dest, join=join, validset=validset,
                seed_year=last + 1, initial=initial)


def mean(ab):
    return ab[0] / (ab[0] + ab[1])


def expected(m, years):
    state = dict(m["initial"])
    out = [(m["seed_year"], state)]
    for k in range(1, years + 1):
        cy = m["seed_year"] + k
        nxt = defaultdict(float)
        for (ay, st), n in state.items():
            if n == 0 or ay >= MAX_AY:
                continue
            year = ay + 1
            if year <= MIN_AY or year > MAX_AY:
                continue
            if (ay, st) not in m["validset"]:
                continue  # dropped
            pl = mean(m["leave"][(ay, st)]) if (ay, st) in m["leave"] else 0.0
            rest = n * (1 - pl)
            movers = 0.0
            d = m["dest"][(ay, st)]
            if can_move(m["moves_to"], m["year_settings"], year, setting_of(st)) and (ay, st) in m["move"] and d:
                movers = rest * mean(m["move"][(ay, st)])
                tot = sum(d.values())
                for k2, a in d.items():
                    nxt[(year, k2)] += movers * a / tot
            nxt[(year, st)] += rest - movers
        for ay, (ab, d) in m["join"].items():
            pop = m["population"].get((cy, ay), 0)
            j = pop * mean(ab)
            tot = sum(d.values())
            for k2, a in d.items():
                nxt[(ay, k2)] += j * a / tot
        state = nxt
        out.append((cy, state))
    return out


def simulate(m, years, n, seed):
    rng = np.random.default_rng(seed)

    def bb(counts, ab):
        p = rng.beta(ab[0], ab[1], size=n) if ab[1] > 0 else np.ones(n)
        return rng.binomial(counts, p)

    def dm(counts, d, nxt, year):
        if not counts.any():
            return
        keys = list(d.keys())
        alphas = np.array([d[k] for k in keys])
        if len(keys) == 1:
            nxt[(year, keys[0])] = nxt.get((year, keys[0]), 0) + counts
            return
        p = rng.dirichlet(alphas, size=n)
        p = np.nan_to_num(p)
        p /= np.maximum(p.sum(axis=1, keepdims=True), 1e-300)
        draws = rng.multinomial(counts, p)
        for i, k in enumerate(keys):
            nxt[(year, k)] = nxt.get((year, k), 0) + draws[:, i]

    state = {k: np.full(n, int(v), dtype=np.int64) for k, v in m["initial"].items()}
    totals = [sum(v for v in state.values())]
    for k in range(1, years + 1):
        cy = m["seed_year"] + k
        nxt = {}
        for (ay, st), c in state.items():
            if ay >= MAX_AY or not c.any():
                continue
            year = ay + 1
            if year <= MIN_AY or year > MAX_AY or (ay, st) not in m["validset"]:
                continue
            leavers = bb(c, m["leave"][(ay, st)]) if (ay, st) in m["leave"] else 0
            rest = c - leavers
            d = m["dest"][(ay, st)]
            movers = 0
            if can_move(m["moves_to"], m["year_settings"], year, setting_of(st)) and (ay, st) in m["move"] and d:
                movers = bb(rest, m["move"][(ay, st)])
                dm(movers, d, nxt, year)
            nxt[(year, st)] = nxt.get((year, st), 0) + rest - movers
        for ay, (ab, d) in m["join"].items():
            pop = m["population"].get((cy, ay), 0)
            if pop:
                dm(bb(np.full(n, pop), ab), d, nxt, ay)
        state = nxt
        totals.append(sum(v for v in state.values()))
    return totals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs")
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--expected", action="store_true")
    ap.add_argument("--simulations", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    t0 = time.perf_counter()
    m = setup(a.inputs)
    if a.expected:
        print("calendar-year,expected-count,expected-cost")
        for cy, st in expected(m, a.years):
            cnt = sum(st.values())
            cost = sum(v * m["cost"].get(k[1], 0.0) for k, v in st.items())
            print(f"{cy},{cnt:.9f},{cost:.6f}")
    if a.simulations:
        totals = simulate(m, a.years, a.simulations, a.seed)
        dt = time.perf_counter() - t0
        for i, t in enumerate(totals):
            print(f"# {m['seed_year'] + i}: mean {t.mean():.3f} sd {t.std(ddof=1):.3f}", file=sys.stderr)
        print(f"numpy_seconds={dt:.3f}")


if __name__ == "__main__":
    main()
