//! The ids of a tenant's things, as distinct types: a use case that takes a tenant and a
//! device cannot be handed one for the other. They are the database's row ids; the front
//! doors make them from the paths and forms they parse, the services hand them to the store.

use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The row id, for the store.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A customer of the service company, whose devices and users are its own (T1).
    TenantId
);
id_type!(
    /// A user of a tenant.
    UserId
);
id_type!(
    /// A registered device of a tenant.
    DeviceId
);
id_type!(
    /// A device group of a tenant (S22).
    GroupId
);
