use caisson_generate::{generate, GenerateOptions, Size};
use caisson_planner::*;
use std::time::Instant;

#[test]
fn scratch() {
    for (size, seed) in [
        (Size::Small, 0),
        (Size::Small, 1),
        (Size::Medium, 0),
        (Size::Medium, 1),
        (Size::Large, 0),
    ] {
        let s = generate(&GenerateOptions { size, seed });
        let t = Instant::now();
        let f = greedy_flows(&s);
        let tg = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let g = greedy(&s);
        let tp = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let o = plan(
            &s,
            &PlanOptions {
                time_limit: Some(120.0),
                ..PlanOptions::default()
            },
        );
        let to = t.elapsed().as_secs_f64();
        let w = explain_shortages(&s, &g);
        eprintln!("{size} {seed}: flows {tg:.2}s greedy plan {tp:.2}s ({} prod) obj {:?} | opt {:?} {:?} {to:.1}s | cost g {:?} o {:?} | short g {}", f.production.len(), g.objective, o.objective, o.status, g.cost, o.cost, w.len());
    }
    let s = generate(&GenerateOptions {
        size: Size::Xl,
        seed: 0,
    });
    let t = Instant::now();
    let _ = greedy_flows(&s);
    eprintln!("xl flows {:.2}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let g = greedy(&s);
    eprintln!("xl plan {:.2}", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let w = explain_shortages(&s, &g);
    eprintln!(
        "xl why {:.2} {} explanations",
        t.elapsed().as_secs_f64(),
        w.len()
    );
    for e in w.iter().take(3) {
        eprintln!("{}", e.describe(&s));
        for c in &e.causes {
            eprintln!("  - {}", c.describe(&s));
        }
    }
}
