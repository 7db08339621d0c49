//! Scenario files.
mod tree;
#[cfg(test)]
mod scratch {
    #[test]
    fn spans() {
        let src = std::fs::read_to_string("/work/shared/spec/example.toml").unwrap();
        let node = super::tree::parse_toml(&src).unwrap();
        if let super::tree::Value::Table(entries) = &node.value {
            for e in entries {
                println!("{} key {:?} = {:?}", e.key, &src[e.key_span.start..e.key_span.end], &src[e.node.span.start..e.node.span.end.min(e.node.span.start+60)]);
                if let super::tree::Value::Array(items) = &e.node.value {
                    for i in items { println!("   item {:?}", &src[i.span.start..i.span.end.min(i.span.start+80)]);
                      if let super::tree::Value::Table(t) = &i.value { for e2 in t { println!("      {} {:?}", e2.key, &src[e2.node.span.start..e2.node.span.end.min(e2.node.span.start+50)]);
                      if let super::tree::Value::Array(items) = &e2.node.value { for i in items { println!("          sub {:?}", &src[i.span.start..i.span.end.min(i.span.start+50)]); }}
                      }}
                    }
                }
            }
        }
    }
}
