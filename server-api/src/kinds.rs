//! The names both ends of the wire share: the kinds of the event log's events and the rules
//! that raise alarms. On the wire and in the store they are text (`Event::kind`,
//! `Alarm::rule`), so that a newer server's kind or rule reaches an older client as something
//! it does not know rather than as an error; in code they are these enums, spelled once.

/// Declares an enum of names with its text, its parser and the list of all of them.
macro_rules! names {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every one of them.
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            /// Its text, as on the wire and in the store.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The one of this text, if it is one.
            pub fn of(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.as_str()
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self.as_str() == other.as_str()
            }
        }
    };
}

names! {
    /// What an event of the log records (`Event::kind`).
    EventKind {
        /// A sensor's reading.
        Observation => "observation",
        /// A vehicle's fix.
        Position => "position",
        /// A weather station's report.
        Weather => "weather",
        /// An electronic waybill registered.
        Waybill => "waybill",
        /// A pass through a gate.
        Pass => "pass",
        /// An alarm raised.
        AlarmRaised => "alarm_raised",
        /// An alarm raised to a higher tier.
        AlarmEscalated => "alarm_escalated",
        /// An alarm acknowledged by an operator.
        AlarmAcked => "alarm_acked",
        /// An alarm closed: its condition cleared, or an operator closed or resolved it.
        AlarmClosed => "alarm_closed",
        /// An alarm given to a person or a team to deal with.
        AlarmAssigned => "alarm_assigned",
        /// An alarm's cause and the action taken recorded (or marked a false alarm).
        AlarmResolved => "alarm_resolved",
        /// An alarm set aside by an operator until a time, with a reason.
        AlarmShelved => "alarm_shelved",
        /// A shelved alarm back on the board (its time ran out, or an operator took it back).
        AlarmUnshelved => "alarm_unshelved",
        /// An alarm left unacknowledged past its tier's time (the alarm policy's escalation).
        AlarmOverdue => "alarm_overdue",
        /// An alarm whose condition cleared and which waits for an operator to close it.
        AlarmCleared => "alarm_cleared",
        /// An incident started.
        IncidentStarted => "incident_started",
        /// An incident's weather shifted (its zones with it).
        IncidentUpdated => "incident_updated",
        /// An incident closed.
        IncidentClosed => "incident_closed",
        /// People counted at an assembly point during an incident.
        HeadCount => "head_count",
        /// An emergency plan activated on an incident (its tasks follow, one event each).
        PlanActivated => "plan_activated",
        /// A task given to a team during an incident (the task as it stands).
        TaskAssigned => "task_assigned",
        /// A task's status moved on: en route, on scene, done (the task as it stands).
        TaskUpdated => "task_updated",
        /// A message sent during an incident, to a team or to everyone.
        MessageSent => "message_sent",
        /// A device registered (the device as registered).
        DeviceAdded => "device_added",
        /// A device changed: moved, re-thresholded, taken into maintenance (the device now).
        DeviceChanged => "device_changed",
        /// A device removed from the registry (the device as it was).
        DeviceRemoved => "device_removed",
        /// A drill started.
        DrillStarted => "drill_started",
        /// A drill stopped before its end.
        DrillStopped => "drill_stopped",
        /// A drill played to its end.
        DrillFinished => "drill_finished",
        /// A drill's release started.
        DrillReleaseStart => "drill_release_start",
        /// A drill's release stopped.
        DrillReleaseStop => "drill_release_stop",
        /// A drill's weather changed.
        DrillWeather => "drill_weather",
        /// A drill's vehicle moved.
        DrillVehicle => "drill_vehicle",
        /// A drill's scripted reading.
        DrillReading => "drill_reading",
        /// A drill's scripted alarm.
        DrillAlarm => "drill_alarm",
        /// A drill's message to the players.
        DrillMessage => "drill_message",
        /// A drill's task for a team.
        DrillTask => "drill_task",
    }
}

impl EventKind {
    /// Whether it is about an alarm (its payload is the alarm as it stands).
    pub fn is_alarm(self) -> bool {
        matches!(
            self,
            EventKind::AlarmRaised
                | EventKind::AlarmEscalated
                | EventKind::AlarmAcked
                | EventKind::AlarmClosed
                | EventKind::AlarmAssigned
                | EventKind::AlarmResolved
                | EventKind::AlarmShelved
                | EventKind::AlarmUnshelved
                | EventKind::AlarmOverdue
                | EventKind::AlarmCleared
        )
    }

    /// Whether it is about an incident (its payload is the incident as it stands).
    pub fn is_incident(self) -> bool {
        matches!(
            self,
            EventKind::IncidentStarted | EventKind::IncidentUpdated | EventKind::IncidentClosed
        )
    }
}

names! {
    /// The rule that raised an alarm (`Alarm::rule`).
    AlarmRule {
        /// A detector at or above its warning or alarm threshold.
        DetectorThreshold => "detector_threshold",
        /// A detector that reported and then fell silent.
        DetectorOffline => "detector_offline",
        /// A hazmat vehicle at a gate without a valid waybill, or with another number.
        HazmatWithoutWaybill => "hazmat_without_waybill",
        /// A hazmat vehicle faster than the park's limit.
        VehicleSpeeding => "vehicle_speeding",
        /// A hazmat vehicle standing still outside the parking lot.
        VehicleStopped => "vehicle_stopped",
        /// A hazmat vehicle away from its waybill's route.
        VehicleOffRoute => "vehicle_off_route",
        /// A person or a place inside an incident's threat zone.
        IncidentZone => "incident_zone",
        /// A device's quantity past a threshold (its source: `device/quantity`).
        DeviceThreshold => "device_threshold",
        /// A device's quantity changing faster than allowed.
        DeviceRate => "device_rate",
        /// A device's quantity not read for longer than allowed.
        DeviceStale => "device_stale",
        /// A device's quantity whose day's total is over its budget.
        DeviceBudget => "device_budget",
        /// A device's quantity whose day's mean is over its permit's limit.
        DevicePermit => "device_permit",
    }
}

impl AlarmRule {
    /// Whether its alarms are about a detector (else a vehicle or an incident's zone).
    pub fn is_detectors(self) -> bool {
        matches!(self, AlarmRule::DetectorThreshold | AlarmRule::DetectorOffline)
    }

    /// Whether its condition is judged once, at one moment, so that an operator's resolution
    /// closes its alarm: a waybill is checked at the gate, and nothing but the truck leaving
    /// tells the rule again; an operator who has checked the paper waybill is the better
    /// judge. The other rules watch their condition continuously, and their alarms close when
    /// it clears (a resolution before then is kept until it does).
    pub fn is_judged_once(self) -> bool {
        matches!(self, AlarmRule::HazmatWithoutWaybill)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_reads_back_and_no_two_share_a_text() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::of(k.as_str()), Some(*k));
        }
        for r in AlarmRule::ALL {
            assert_eq!(AlarmRule::of(r.as_str()), Some(*r));
        }
        let texts: std::collections::BTreeSet<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(texts.len(), EventKind::ALL.len());
        assert_eq!(EventKind::of("alarm_raised"), Some(EventKind::AlarmRaised));
        assert_eq!(EventKind::of("no_such_kind"), None);
        let stored: String = "detector_threshold".into();
        assert!(stored == AlarmRule::DetectorThreshold && *"vehicle_stopped" == AlarmRule::VehicleStopped);
    }
}
