//! The re-transfer chains as outputs: the `retransfers` table, and each chain as a path on
//! the legal layer of the network (`origin -> intermediary -> recipient`, with the
//! intermediary as the point where the weapons left their first recipient's hands), which
//! the `paths` table lists beside the case paths with `kind = "retransfer"`.
//!
//! The chains themselves are found by [`crate::retransfers::find`].

use petgraph::graph::NodeIndex;

use crate::geo::Gazetteer;
use crate::network::{DiversionNetwork, party_node};
use crate::output::{OutputError, Table, TableBuilder};
use crate::records::Party;
use crate::retransfers::{Chain, DealLeg, Retransfers};

/// The id of a chain: its onward deal's id, then its import's (`<onward> <- <import>`).
pub fn chain_id(c: &Chain) -> String {
    format!("{} <- {}", c.onward.id, c.import.id)
}

/// The network node of a party: its own (a historical state's), else its country's.
pub fn party_in(net: &DiversionNetwork, p: &Party) -> Option<NodeIndex> {
    [false, true].into_iter().find_map(|merge| net.node(party_node(p, merge)?))
}

/// A chain as a path: origin, intermediary and recipient nodes, when all three are in the
/// network and each differs from the next (an armed group of the intermediary's own
/// country gives a two-node path).
pub fn chain_nodes(net: &DiversionNetwork, c: &Chain) -> Option<Vec<NodeIndex>> {
    let mut nodes = vec![
        party_in(net, &c.origin)?,
        party_in(net, &c.intermediary)?,
        party_in(net, &c.recipient)?,
    ];
    nodes.dedup();
    (nodes.len() >= 2 && nodes[0] != nodes[1]).then_some(nodes)
}

fn iso3<'g>(g: &'g Gazetteer, p: &Party) -> Option<&'g str> {
    p.country.map(|c| g.country(c).iso3.as_str())
}

/// The `retransfers` table: one row per chain (see [`crate::retransfers`]).
pub fn retransfers_tables(g: &Gazetteer, r: &Retransfers) -> Result<Vec<Table>, OutputError> {
    let c = &r.chains;
    let party = |b: TableBuilder, col: &str, f: fn(&Chain) -> &Party| {
        b.text(col, c.iter().map(|x| Some(f(x).name.as_str())))
            .text(&format!("{col}_kind"), c.iter().map(|x| Some(f(x).kind.as_str())))
            .text(&format!("{col}_country"), c.iter().map(|x| iso3(g, f(x))))
    };
    let leg = |b: TableBuilder, col: &str, f: fn(&Chain) -> &DealLeg| {
        b.text(&format!("{col}_deal"), c.iter().map(|x| Some(f(x).id.as_str())))
            .text(&format!("{col}_source"), c.iter().map(|x| f(x).source.as_deref()))
            .text(&format!("{col}_designation"), c.iter().map(|x| Some(f(x).designation.as_str())))
            .text(&format!("{col}_description"), c.iter().map(|x| f(x).description.as_deref()))
            .int(&format!("{col}_first_year"), c.iter().map(|x| Some(i64::from(f(x).first_year))))
            .int(&format!("{col}_last_year"), c.iter().map(|x| Some(i64::from(f(x).last_year))))
            .uint(&format!("{col}_delivered"), c.iter().map(|x| f(x).delivered))
            .float(&format!("{col}_tiv"), c.iter().map(|x| Some(f(x).tiv)))
            .boolean(&format!("{col}_second_hand"), c.iter().map(|x| Some(f(x).second_hand)))
    };
    let mut b = TableBuilder::new("retransfers").text("chain", c.iter().map(|x| Some(chain_id(x))));
    b = party(b, "origin", |x| &x.origin);
    b = party(b, "intermediary", |x| &x.intermediary);
    b = party(b, "recipient", |x| &x.recipient);
    b = b.text("weapon_match", c.iter().map(|x| Some(x.matched.as_str())));
    b = leg(b, "import", |x| &x.import);
    b = leg(b, "onward", |x| &x.onward);
    Ok(vec![b.build()?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actors::ActorKind;

    fn leg(id: &str, year: i32) -> DealLeg {
        DealLeg {
            deal: 0,
            row: 0,
            id: id.into(),
            source: None,
            designation: "BGM-71 TOW".into(),
            description: None,
            first_year: year,
            last_year: year,
            delivered: Some(1),
            tiv: 1.0,
            second_hand: false,
        }
    }

    #[test]
    fn a_chain_is_a_path_through_its_intermediary() {
        let g = Gazetteer::embedded().unwrap();
        let cfg = crate::network::NetworkConfig::default();
        let mut net = crate::network::build(&cfg, g, None, &[], &[], &[]);
        let country = |name: &str| g.resolve_country(name).unwrap();
        let party =
            |name: &str, kind| Party { name: name.into(), kind, country: Some(country(name)) };
        let usa = party("United States", ActorKind::State);
        let irn = party("Iran", ActorKind::State);
        let hez = Party {
            name: "Hezbollah".into(),
            kind: ActorKind::ArmedGroup,
            country: Some(country("Lebanon")),
        };
        for p in [&usa, &irn, &hez] {
            crate::network::ensure_node(&mut net, g, party_node(p, false).unwrap());
        }
        let chain = Chain {
            origin: usa,
            intermediary: irn.clone(),
            recipient: hez,
            import: leg("a", 1973),
            onward: leg("b", 1999),
            matched: crate::retransfers::WeaponKey::Designation,
        };
        let nodes = chain_nodes(&net, &chain).unwrap();
        let ids: Vec<&str> = nodes.iter().map(|n| net.graph[*n].id.as_str()).collect();
        assert_eq!(ids, ["USA", "IRN", "LBN"]);
        assert_eq!(chain_id(&chain), "b <- a");
        // The intermediary's own armed group: a path of two nodes.
        let home = Chain { recipient: Party { name: "x".into(), ..irn }, ..chain };
        assert_eq!(chain_nodes(&net, &home).map(|n| n.len()), Some(2));
    }
}
