//! Safeguarding in the conversation: risk language in any free text gets crisis numbers at
//! once and (for someone we know) an escalation; mentors raise concerns; coordinators list,
//! acknowledge, resolve and review alerts for their own service only.

use peerline_core::{
    authz::Action,
    clock::from_millis,
    domain::{EscalationSource, Nation, PersonId},
    risk::RiskCategory,
    safeguarding::{self, crisis_reply},
    store::{AuditEntry, NewEscalation, Priority, Stranger},
};

use super::{
    Engine, EngineError, Sender, Turn,
    keywords::{Button, Intent},
};

impl Engine {
    /// Risk language in free text: crisis reply first (highest priority, even to someone who
    /// opted out), then an escalation for someone we know. Returns whether it matched.
    pub(super) async fn risk(
        &self,
        turn: &mut Turn<'_>,
        (sender, stranger): (Option<&Sender>, Option<&Stranger>),
        text: &str,
    ) -> Result<bool, EngineError> {
        let at = turn.at;
        let matches = self.triage.matches(text);
        if matches.is_empty() {
            return Ok(false);
        }
        let mut categories: Vec<RiskCategory> = matches.iter().map(|m| m.category).collect();
        categories.dedup();
        let names: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
        // Rule names are Peerline's own words (list lines and rule names), never the message.
        let rules: Vec<&str> = matches.iter().map(|m| m.rule.as_str()).collect();
        metrics::counter!("peerline_risk_matches_total", "channel" => turn.reply.inbound.channel.as_str()).increment(1);
        tracing::warn!(channel = %turn.reply.inbound.channel, categories = ?names, rules = ?rules, known = sender.is_some(), "risk language: crisis reply sent");
        let extra = if categories.contains(&RiskCategory::DomesticAbuse) {
            "abuse"
        } else if categories
            .iter()
            .any(|c| matches!(c, RiskCategory::Overdose | RiskCategory::RelapseDanger))
        {
            "drugs"
        } else {
            "none"
        };
        let short = |lang| self.text(lang, "crisis-reply-short", &[]);
        let Some(sender) = sender else {
            // Not enrolled: no service, so no nation to go by; England's lines, with the
            // UK-wide ones (999, 112, Samaritans, Shout) first.
            let body = crisis_reply(&self.i18n, turn.reply.language, Nation::England, extra, false, None);
            let state = stranger.cloned().unwrap_or_default();
            self.stranger_crisis(turn, &state, (body, short(turn.reply.language)))
                .await?;
            return Ok(true);
        };
        let service = turn.tx.service(sender.person.service_id).await?;
        let next_open = (!service.hours.staffed_at(at)).then(|| {
            self.i18n
                .when(sender.person.language, service.hours.next_staffed(at), service.timezone)
        });
        let body = crisis_reply(
            &self.i18n,
            sender.person.language,
            service.nation,
            extra,
            true,
            next_open,
        );
        turn.reply.push_crisis(body, short(sender.person.language));
        let esc = turn
            .tx
            .open_escalation(
                &NewEscalation {
                    service: service.id,
                    subject: Some(sender.person.id),
                    raised_by: Some(sender.person.id),
                    source: EscalationSource::RiskLanguage,
                    channel: Some(turn.reply.inbound.channel.as_str()),
                    verbatim: Some(text),
                    categories: &names.join(","),
                    risk_rules: &rules.join("; "),
                },
                turn.now(),
            )
            .await?;
        safeguarding::alert(&mut turn.tx, &self.i18n, &esc, false, false, at).await?;
        Ok(true)
    }

    /// `/concern text`: a mentor (or anyone enrolled) alerts the coordinators.
    pub(super) async fn concern(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        text: Option<String>,
    ) -> Result<(), EngineError> {
        let at = turn.at;
        let lang = sender.person.language;
        let Some(text) = text else {
            let body = self.text(
                lang,
                "concern-how",
                &[("channel", turn.reply.inbound.channel.as_str().into())],
            );
            turn.reply.push(body, None, false, "reply");
            return Ok(());
        };
        let matches = self.triage.matches(&text);
        let mut categories: Vec<&str> = matches.iter().map(|m| m.category.as_str()).collect();
        categories.dedup();
        let rules: Vec<&str> = matches.iter().map(|m| m.rule.as_str()).collect();
        let esc = turn
            .tx
            .open_escalation(
                &NewEscalation {
                    service: sender.person.service_id,
                    subject: None,
                    raised_by: Some(sender.person.id),
                    source: EscalationSource::Concern,
                    channel: Some(turn.reply.inbound.channel.as_str()),
                    verbatim: Some(&text),
                    categories: &categories.join(","),
                    risk_rules: &rules.join("; "),
                },
                turn.now(),
            )
            .await?;
        safeguarding::alert(&mut turn.tx, &self.i18n, &esc, false, false, at).await?;
        let body = self.text(lang, "concern-ack", &[("reference", esc.reference.as_str().into())]);
        turn.reply
            .push_with(body, None, false, "concern-ack", Priority::Safeguarding);
        Ok(())
    }

    /// Coordinators' commands about alerts and the Acknowledge button. Anyone else gets a
    /// neutral refusal, and the attempt is audited.
    pub(super) async fn staff_command(
        &self,
        turn: &mut Turn<'_>,
        sender: &Sender,
        intent: &Intent,
    ) -> Result<(), EngineError> {
        let now = turn.now();
        let button_ack = match intent {
            Intent::Button(Button::Acknowledge(id)) => Some(*id),
            _ => None,
        };
        let person = &sender.person;
        let lang = person.language;
        let service = person.service_id;
        let audit = |action: &'static str, subject: Option<i64>, detail: Option<String>| AuditEntry {
            at: now,
            service_id: Some(service),
            actor_person_id: Some(person.id),
            actor_label: turn.reply.inbound.channel.as_str(),
            action,
            subject_person_id: subject.map(PersonId),
            detail,
        };
        let action = match intent {
            _ if button_ack.is_some() => Action::AcknowledgeAlert,
            Intent::Resolve(..) => Action::ResolveAlert,
            Intent::Escalations => Action::ListAlerts,
            Intent::History(_) => Action::AlertHistory,
            _ => Action::AcknowledgeAlert,
        };
        if !self.may(turn, sender, action).await? {
            return Ok(());
        }
        let reference = |r: &Option<String>| r.clone().unwrap_or_default();
        let not_found = |r: &str| self.text(lang, "escalation-not-found", &[("reference", r.into())]);
        // Another service's alert (`foreign`) is answered exactly like one that does not exist;
        // the attempt is audited.
        let (found, foreign) = match (button_ack, intent) {
            (Some(id), _) => match turn.tx.escalation(id).await? {
                Some(e) if e.service_id == service.0 => (Some((e.reference.clone(), Some(e))), None),
                Some(_) => (None, Some(self.text(lang, "escalation-gone", &[]))),
                None => (None, None),
            },
            (None, Intent::Ack(r) | Intent::Resolve(r, _) | Intent::History(r)) => {
                let r = reference(r);
                match turn.tx.escalation_by_ref(service, &r).await? {
                    Some(e) => (Some((r, Some(e))), None),
                    None if turn.tx.reference_owner(&r).await?.is_some_and(|o| o != service) => {
                        (None, Some(not_found(&r)))
                    }
                    None => (Some((r, None)), None),
                }
            }
            _ => (None, None),
        };
        if let Some(answer) = foreign {
            self.deny(turn, sender, (action, "other service"), Some(answer)).await?;
            return Ok(());
        }
        match (button_ack, intent, found) {
            (Some(_), _, None) => turn
                .reply
                .push(self.text(lang, "escalation-gone", &[]), None, false, "reply"),
            (_, Intent::Escalations, _) => {
                let open = turn.tx.open_escalations_of(service).await?;
                turn.tx.audit(audit("escalation.list", None, None)).await?;
                let body = if open.is_empty() {
                    self.text(lang, "escalation-none-open", &[])
                } else {
                    let list: Vec<String> = open
                        .iter()
                        .map(|e| format!("{} ({}, {})", e.reference, e.source, e.status))
                        .collect();
                    self.text(lang, "escalation-open-list", &[("list", list.join("; ").into())])
                };
                turn.reply.push(body, None, false, "reply");
            }
            (_, _, Some((r, None))) => turn.reply.push(not_found(&r), None, false, "reply"),
            (_, Intent::Resolve(_, note), Some((r, Some(e)))) => {
                let note = if note.trim().is_empty() {
                    "resolved"
                } else {
                    note.trim()
                };
                let done = turn.tx.resolve(e.id, person.id, note, now).await?;
                turn.tx
                    .audit(audit("escalation.resolve", e.subject_person_id, Some(r.clone())))
                    .await?;
                let body = if done {
                    self.text(lang, "escalation-resolved", &[("reference", r.as_str().into())])
                } else {
                    not_found(&r)
                };
                turn.reply.push(body, None, false, "reply");
            }
            (_, Intent::History(_), Some((r, Some(e)))) => {
                let events = turn.tx.escalation_events(e.id).await?;
                let service_row = turn.tx.service(service).await?;
                let lines: Vec<String> = events
                    .iter()
                    .map(|ev| {
                        format!(
                            "{} {}",
                            self.i18n.when(lang, from_millis(ev.at), service_row.timezone),
                            ev.kind
                        )
                    })
                    .collect();
                turn.tx
                    .audit(audit("escalation.view", e.subject_person_id, Some(r.clone())))
                    .await?;
                let mut body = self.text(
                    lang,
                    "escalation-history",
                    &[("reference", r.as_str().into()), ("events", lines.join("; ").into())],
                );
                if !e.risk_rules.is_empty() {
                    body.push('\n');
                    body.push_str(&self.text(lang, "escalation-rules", &[("rules", e.risk_rules.as_str().into())]));
                }
                turn.reply.push(body, None, false, "reply");
            }
            (_, _, Some((r, Some(e)))) => {
                let done = turn.tx.acknowledge(e.id, person.id, now).await?;
                turn.tx
                    .audit(audit("escalation.acknowledge", e.subject_person_id, Some(r.clone())))
                    .await?;
                let id = if done {
                    "escalation-acknowledged"
                } else {
                    "escalation-already"
                };
                turn.reply.push(
                    self.text(lang, id, &[("reference", r.as_str().into())]),
                    None,
                    false,
                    "reply",
                );
            }
            // A typed reference is always found, not found or another service's (answered above).
            (None, _, None) => {}
        }
        Ok(())
    }
}
