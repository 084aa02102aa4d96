import { z } from "zod";
import { Count, IntLike } from "./request.ts";

/** Result pieces shared by the catalogue's areas: the `result` of a success envelope. */

export const some = <S extends z.ZodRawShape>(shape: S) => z.looseObject(shape).partial();

/** "result Boolean/Object: Indicates whether the operation is successful", with `true` in every example. */
export const Done = z.boolean();

export const Flag = z.literal([0, 1]);

export const UserType = z.literal([0, 10, 20, 40, 50]);

export const DeliveryText = z.enum(["ONGOING", "SUCCESS", "FAILED"]);

// seed line 788: the example names `end_minute` 2359, beyond the documented maximum 1440 (line 756): any count is read.
export const ScheduleDetail = some({
  start_minute: IntLike,
  end_minute: IntLike,
  working_day: Count,
  all_day: z.boolean(),
  time_zone_id: z.string(),
});

// seed lines 780 and 3269: `operate` is documented ADD/MODIFY/DELETE; examples send CREATE. Any text is read.
export const TimeSchedule = some({
  permanent: z.boolean(),
  effective_time: IntLike,
  expired_time: IntLike,
  operate: z.string(),
  delivery_status: DeliveryText,
  schedule_details: z.array(ScheduleDetail),
});

export const UserRecord = some({
  user_id: z.string(),
  avatar_url: z.string(),
  user_contact: z.string(),
  user_type: UserType,
  nick_name: z.string(),
  lock_user_id: z.int(),
  back_home_notify_attr: Flag,
  effective_flag: Flag,
  time_schedule_info: TimeSchedule,
  uid: z.string(),
});

export const Paged = <S extends z.ZodType>(record: S) =>
  some({
    // seed line 1710: `has_more` is documented Integer, the examples send a boolean: both are read.
    has_more: z.union([z.boolean(), Flag]),
    total_pages: Count,
    total: Count,
    records: z.array(record),
  });
