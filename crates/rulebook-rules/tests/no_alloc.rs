//! `Validator::answer` and `Validator::check_into` (with a reused vector)
//! do not allocate, however many rules a question weighs: counted by a
//! global allocator that counts this thread's allocations.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::{rule, tax_au, tax_au_br, validator};
use rulebook_rules::Question;
use serde_json::json;

struct Counting;

thread_local! {
    // const-initialised and without a destructor: reading it never
    // allocates, so the allocator may use it
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn answering_from_several_articles_does_not_allocate() {
    let v = validator(vec![
        rule(
            "a",
            "ur",
            "unavailable-markets",
            json!({"product": "azure-reservations", "markets": ["JE"]}),
            1,
        ),
        rule(
            "b",
            "ur",
            "unavailable-markets",
            json!({"product": "azure-reservations", "markets": ["BR"]}),
            2,
        ),
        tax_au_br("a", 3),
        tax_au("b", 4),
        rule(
            "a",
            "w",
            "cancellation-window",
            json!({"days": 60, "early_termination_fee": false}),
            5,
        ),
        rule(
            "b",
            "w",
            "cancellation-window",
            json!({"days": 30, "early_termination_fee": false}),
            6,
        ),
        rule(
            "a",
            "l",
            "link-limits",
            json!({"valid_days": 14, "max_downloads": 50, "renewable": true}),
            7,
        ),
        rule(
            "b",
            "l",
            "link-limits",
            json!({"valid_days": 7, "max_downloads": 50, "renewable": true}),
            8,
        ),
        rule(
            "a",
            "r",
            "role-requirement",
            json!({"action": "get-keys", "any_of_roles": ["admin-agent", "global-admin"]}),
            9,
        ),
        rule(
            "b",
            "r",
            "role-requirement",
            json!({"action": "get-keys", "any_of_roles": ["admin-agent"]}),
            10,
        ),
        rule(
            "a",
            "f",
            "cancellation-request-fields",
            json!({"fields": ["tenant", "refund-reason"]}),
            11,
        ),
        rule(
            "b",
            "f",
            "cancellation-request-fields",
            json!({"fields": ["tenant", "amount-requested", "no-such-field"]}),
            12,
        ),
    ]);
    let questions = [
        Question::purchase("azure-reservations", "BR").unwrap(),
        Question::purchase("azure-reservations", "MX").unwrap(),
        Question::purchase("windows-server", "MX").unwrap(),
        Question::tax("BR").unwrap(),
        Question::tax("AU").unwrap(),
        Question::cancel("2024-01-01", Some("2024-02-15")).unwrap(),
        Question::link("2024-01-01T00:00:00Z", Some("2024-01-11T00:00:00Z"), "60").unwrap(),
        Question::role("get-keys", &["global-admin", "nobody"]).unwrap(),
        Question::cancel_request(json!({"tenant": "contoso.com", "refund_reason": "x"})).unwrap(),
    ];
    let mut findings = Vec::with_capacity(64);
    let before = allocations();
    let mut conflicts = 0;
    for q in &questions {
        conflicts += usize::from(v.answer(q).conflict);
        findings.clear();
        conflicts += usize::from(v.check_into(q, &mut findings).conflict);
    }
    assert_eq!(allocations(), before, "answering allocated");
    // the questions did weigh disagreeing rules
    assert_eq!(
        conflicts,
        2 * 5,
        "five of the questions meet disagreeing rules"
    );
    // and the counter counts: wording a decision allocates
    let _ = v.check(&questions[0]);
    assert!(allocations() > before);
}
